namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Parallel layout and batching limits of expert-parallel serving. Attention and dense layers
/// run data-parallel over <c>devices / TensorParallel</c> groups of <see cref="TensorParallel"/>
/// consecutive GPUs (tensor-parallel inside a group); routed experts run expert-parallel over
/// every GPU; shared experts are replicated on every GPU.
/// </summary>
public sealed record ExpertParallelConfig
{
    /// <summary>GPUs per attention tensor-parallel group, ≥ 1, dividing the system's GPU count.</summary>
    public int TensorParallel { get; init; } = 1;

    /// <summary>How dispatch and combine cross machines (rail-forwarded by default, as DeepSeek-V3 serves; direct per-pair flows otherwise).</summary>
    public Collectives.AllToAllAlgorithm AllToAll { get; init; } = Collectives.AllToAllAlgorithm.RailForwarded;

    /// <summary>
    /// How dispatch, combine and TP collectives are timed: flows sharing links max-min fair, or
    /// per-link aggregation in one event per collective; null picks by the system's size
    /// (<see cref="Collectives.Collective.DefaultModelFor"/>: flows up to 32 GPUs, aggregated above).
    /// </summary>
    public Collectives.CollectiveModel? CollectiveModel { get; init; }

    /// <summary>
    /// What a token sends: one copy per receiving GPU (and machine), as DeepEP's normal kernels
    /// (the default, matching the rail-forwarded default), or one per chosen expert.
    /// </summary>
    public DispatchPayload Dispatch { get; init; } = DispatchPayload.PerDevice;

    /// <summary>Batching limits of each data-parallel group (each group behaves like one engine with these limits).</summary>
    public ServingConfig Serving { get; init; } = new();

    /// <summary>Checks ranges against a system of <paramref name="devices"/> GPUs; returns problems as (field, message) pairs.</summary>
    public IEnumerable<(string Field, string Problem)> Validate(int devices)
    {
        foreach (var p in Serving.Validate()) yield return p;
        if (TensorParallel < 1 || devices % TensorParallel != 0)
            yield return ("tensor_parallel", $"must be at least 1 and divide the system's {devices} GPUs, got {TensorParallel}");
    }
}
