using MoESim.Metrics;
using MoESim.Results;

namespace MoESim.Runs;

/// <summary>What an expert-parallel serving run produced: the serving timeline, its metrics and the MoE-specific figures.</summary>
public sealed record ExpertParallelResult
{
    /// <summary>Requests, passes and memory, as a single-device run reports them (memory summed over the system).</summary>
    public required SimulationResult Serving { get; init; }

    /// <summary>TTFT, TPOT, throughput and utilisation (peaks summed over the GPUs).</summary>
    public required ServingMetrics Metrics { get; init; }

    /// <summary>Per-GPU load, MoE-layer and collective figures.</summary>
    public required ExpertParallelStats Stats { get; init; }

    /// <summary>GPUs in the system.</summary>
    public int Devices => Stats.Devices;

    /// <summary>Forward passes (steps) simulated.</summary>
    public long Steps => Stats.Steps;

    /// <summary>Token-expert pairs each GPU computed over the run, summed over MoE layers.</summary>
    public IReadOnlyList<long> DevicePairs => Stats.DevicePairs;

    /// <summary>Per MoE layer: dispatch start to combine end, summed over steps, seconds.</summary>
    public IReadOnlyList<double> MoeLayerSeconds => Stats.MoeLayerSeconds;

    /// <summary>Per MoE layer: slowest GPU's expert time minus the mean GPU's, summed over steps, seconds.</summary>
    public IReadOnlyList<double> StragglerSeconds => Stats.StragglerSeconds;

    /// <summary>Time in dispatch and combine all-to-alls over the run, seconds.</summary>
    public double AllToAllSeconds => Stats.AllToAllSeconds;

    /// <summary>Bytes moved between GPUs by dispatch and combine over the run.</summary>
    public long AllToAllBytes => Stats.AllToAllBytes;

    /// <summary>Time in tensor-parallel all-reduces and all-gathers over the run, seconds.</summary>
    public double TensorParallelSeconds => Stats.TensorParallelSeconds;

    /// <summary>Mean MoE-layer time per step, seconds.</summary>
    public double MeanMoeLayerSeconds => Stats.MeanMoeLayerSeconds;

    /// <summary>Mean straggler time per MoE layer per step, seconds.</summary>
    public double MeanStragglerSeconds => Stats.MeanStragglerSeconds;

    /// <summary>Busiest GPU's pairs over the mean GPU's (1 = perfectly balanced).</summary>
    public double LoadImbalance => Stats.LoadImbalance;
}
