namespace MoESim.Bench.Kernels;

/// <summary>Shape of a decode-attention batch (all ≥ 1; <see cref="Heads"/> a multiple of <see cref="KvHeads"/>).</summary>
public readonly record struct AttentionShape(int Batch, int Heads, int KvHeads, int HeadDim, int Context);
