namespace MoESim.Results;

/// <summary>The figures only an expert-parallel run has: per-GPU expert load, MoE-layer, straggler and collective times.</summary>
public sealed record ExpertParallelStats
{
    /// <summary>GPUs in the system.</summary>
    public required int Devices { get; init; }

    /// <summary>Forward passes (steps) simulated.</summary>
    public required long Steps { get; init; }

    /// <summary>Token-expert pairs each GPU computed over the run, summed over MoE layers.</summary>
    public required IReadOnlyList<long> DevicePairs { get; init; }

    /// <summary>Per MoE layer: time from the start of dispatch to the end of combine, summed over steps, seconds.</summary>
    public required IReadOnlyList<double> MoeLayerSeconds { get; init; }

    /// <summary>Per MoE layer: slowest GPU's expert time minus the mean GPU's, summed over steps, seconds.</summary>
    public required IReadOnlyList<double> StragglerSeconds { get; init; }

    /// <summary>Time in dispatch and combine all-to-alls over the run, seconds.</summary>
    public required double AllToAllSeconds { get; init; }

    /// <summary>Bytes moved between GPUs by dispatch and combine over the run.</summary>
    public required long AllToAllBytes { get; init; }

    /// <summary>Time in tensor-parallel all-reduces and all-gathers over the run, seconds.</summary>
    public required double TensorParallelSeconds { get; init; }

    /// <summary>Mean MoE-layer time per step (dispatch + experts + combine, averaged over layers), seconds.</summary>
    public double MeanMoeLayerSeconds => Steps == 0 || MoeLayerSeconds.Count == 0 ? 0 : MoeLayerSeconds.Sum() / MoeLayerSeconds.Count / Steps;

    /// <summary>Mean straggler time per MoE layer per step, seconds.</summary>
    public double MeanStragglerSeconds => Steps == 0 || StragglerSeconds.Count == 0 ? 0 : StragglerSeconds.Sum() / StragglerSeconds.Count / Steps;

    /// <summary>Busiest GPU's pairs over the mean GPU's (1 = perfectly balanced).</summary>
    public double LoadImbalance
    {
        get
        {
            if (DevicePairs.Count == 0) return 1;
            double mean = DevicePairs.Average(p => (double)p);
            return mean > 0 ? DevicePairs.Max() / mean : 1;
        }
    }
}
