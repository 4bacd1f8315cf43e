using MoESim.Models;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// The bulk-synchronous phases one expert-parallel step runs, in order: the model's
/// <see cref="LayerProgram"/> with the layout's tensor-parallel collectives added (per layer,
/// attention, then a TP all-reduce when TP &gt; 1; for an MoE layer router and shared experts,
/// dispatch, experts, combine, then a TP all-gather; for a dense layer the FFN, then a TP
/// all-reduce; finally the LM head).
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

    /// <summary>
    /// Builds the phases of <paramref name="model"/>'s <see cref="LayerProgram"/> with attention
    /// split over <paramref name="tensorParallel"/> GPUs: router and shared experts run as one
    /// phase over each GPU's own tokens; TP collectives follow attention and dense FFNs
    /// (all-reduce) and each MoE layer's combine (all-gather).
    /// </summary>
    public static ExpertParallelProgram For(ModelConfig model, int tensorParallel) => For(LayerProgram.For(model), tensorParallel);

    /// <summary>Builds the phases of <paramref name="program"/> with attention split over <paramref name="tensorParallel"/> GPUs.</summary>
    public static ExpertParallelProgram For(LayerProgram program, int tensorParallel)
    {
        var phases = new List<Phase>();
        bool tp = tensorParallel > 1;
        for (int i = 0; i < program.Count; i++)
        {
            var entry = program[i];
            switch (entry.Operator)
            {
                case LayerOperator.Attention:
                    phases.Add(new Phase(PhaseKind.Attention, -1));
                    if (tp) phases.Add(new Phase(PhaseKind.TpAllReduce, -1));
                    break;
                case LayerOperator.Router:
                    phases.Add(new Phase(PhaseKind.RouterAndShared, entry.MoeLayer));
                    break;
                case LayerOperator.SharedExpert:
                    break; // costed with the router, over the same tokens on the same GPU
                case LayerOperator.Dispatch:
                    phases.Add(new Phase(PhaseKind.Dispatch, entry.MoeLayer));
                    break;
                case LayerOperator.RoutedExperts:
                    phases.Add(new Phase(PhaseKind.Experts, entry.MoeLayer));
                    break;
                case LayerOperator.Combine:
                    phases.Add(new Phase(PhaseKind.Combine, entry.MoeLayer));
                    if (tp) phases.Add(new Phase(PhaseKind.TpAllGather, entry.MoeLayer));
                    break;
                case LayerOperator.DenseFfn:
                    phases.Add(new Phase(PhaseKind.DenseFfn, -1));
                    if (tp) phases.Add(new Phase(PhaseKind.TpAllReduce, -1));
                    break;
                case LayerOperator.LmHead:
                    phases.Add(new Phase(PhaseKind.LmHead, -1));
                    break;
                default:
                    throw new InvalidOperationException($"expert-parallel program: no phase for {entry.Operator}");
            }
        }
        return new ExpertParallelProgram(phases.ToArray(), program.Layers, program.MoeLayers);
    }
}
