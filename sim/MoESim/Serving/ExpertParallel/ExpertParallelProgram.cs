using MoESim.Models;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// The phases one step runs, in order, built once per model and layout: per layer, attention
/// (then a TP all-reduce when TP &gt; 1); for an MoE layer router and shared experts, dispatch,
/// experts, combine (then a TP all-gather); for a dense layer the FFN (then a TP all-reduce);
/// finally the LM head.
/// </summary>
public sealed class ExpertParallelProgram
{
    private readonly Phase[] _phases;

    private ExpertParallelProgram(Phase[] phases, int layers, int moeLayers)
    {
        _phases = phases;
        Layers = layers;
        MoeLayers = moeLayers;
    }

    /// <summary>One phase; <see cref="MoeLayer"/> is the MoE layer index (0-based among MoE layers) or -1.</summary>
    public readonly record struct Phase(PhaseKind Kind, int MoeLayer);

    /// <summary>Phases per step.</summary>
    public int Count => _phases.Length;

    /// <summary>Model layers.</summary>
    public int Layers { get; }

    /// <summary>MoE layers.</summary>
    public int MoeLayers { get; }

    /// <summary>Dense (non-MoE) layers.</summary>
    public int DenseLayers => Layers - MoeLayers;

    /// <summary>Phase <paramref name="index"/>.</summary>
    public Phase this[int index] => _phases[index];

    /// <summary>Builds the program of <paramref name="model"/> with attention split over <paramref name="tensorParallel"/> GPUs.</summary>
    public static ExpertParallelProgram For(ModelConfig model, int tensorParallel)
    {
        var phases = new List<Phase>();
        int moe = 0;
        bool tp = tensorParallel > 1;
        for (int layer = 0; layer < model.NumLayers; layer++)
        {
            phases.Add(new Phase(PhaseKind.Attention, -1));
            if (tp) phases.Add(new Phase(PhaseKind.TpAllReduce, -1));
            if (model.IsMoeLayer(layer))
            {
                phases.Add(new Phase(PhaseKind.RouterAndShared, moe));
                phases.Add(new Phase(PhaseKind.Dispatch, moe));
                phases.Add(new Phase(PhaseKind.Experts, moe));
                phases.Add(new Phase(PhaseKind.Combine, moe));
                if (tp) phases.Add(new Phase(PhaseKind.TpAllGather, moe));
                moe++;
            }
            else
            {
                phases.Add(new Phase(PhaseKind.DenseFfn, -1));
                if (tp) phases.Add(new Phase(PhaseKind.TpAllReduce, -1));
            }
        }
        phases.Add(new Phase(PhaseKind.LmHead, -1));
        return new ExpertParallelProgram(phases.ToArray(), model.NumLayers, moe);
    }
}
