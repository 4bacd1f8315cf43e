using MoESim.Units;

namespace MoESim.Models;

/// <summary>Storage and compute formats of a model's weights, activations and KV cache.</summary>
public sealed record ModelDataTypes
{
    public required DataType Weights { get; init; }
    public required DataType Activations { get; init; }
    public required DataType KvCache { get; init; }
}
