using System.Runtime.InteropServices;

namespace MoESim.Traces.Formats;

/// <summary>
/// One step of a binary trace as stored: the header fields and the expert ids still packed in
/// the reader's chunk buffer (no copy, no widening). Layout of the ids is that of
/// <see cref="RoutingStep.ExpertIds"/> (layer-major, k per token and layer). Valid only until the
/// reader's next read or seek; a pass that keeps no step (e.g. <c>trace stats</c>) reads a trace
/// this way at close to CRC speed.
/// </summary>
public readonly ref struct PackedRoutingStep
{
    /// <summary>A step view; <paramref name="idBytes"/> is 1 (uint8 ids) or 2 (little-endian uint16 ids).</summary>
    public PackedRoutingStep(int requestId, int iteration, int firstTokenIndex, int tokenCount, bool isPrefill, int idBytes, ReadOnlySpan<byte> expertIdBytes, ReadOnlySpan<byte> gateWeightBytes)
    {
        RequestId = requestId;
        Iteration = iteration;
        FirstTokenIndex = firstTokenIndex;
        TokenCount = tokenCount;
        IsPrefill = isPrefill;
        IdBytes = idBytes;
        ExpertIdBytes = expertIdBytes;
        GateWeightBytes = gateWeightBytes;
    }

    /// <summary>Request id (≥ 0).</summary>
    public int RequestId { get; }
    /// <summary>Iteration of this request (0 for its first prefill chunk).</summary>
    public int Iteration { get; }
    /// <summary>Position in the request of the step's first token, ≥ 0.</summary>
    public int FirstTokenIndex { get; }
    /// <summary>Tokens in the step, ≥ 1.</summary>
    public int TokenCount { get; }
    /// <summary>True for prompt tokens (prefill), false for a generated token (decode).</summary>
    public bool IsPrefill { get; }
    /// <summary>Bytes per expert id: 1 when the trace has ≤ 256 experts, else 2.</summary>
    public int IdBytes { get; }
    /// <summary>The ids, <see cref="IdBytes"/> bytes each (uint16 little-endian), layers × tokens × k of them.</summary>
    public ReadOnlySpan<byte> ExpertIdBytes { get; }
    /// <summary>Gate weights as little-endian float32, one per id; empty when the trace has none.</summary>
    public ReadOnlySpan<byte> GateWeightBytes { get; }
    /// <summary>Expert selections in the step (layers × tokens × k).</summary>
    public int Selections => ExpertIdBytes.Length / IdBytes;

    /// <summary>
    /// The ids of a 2-byte-id trace as uint16 values, viewed in place; only on little-endian
    /// hosts (elsewhere use <see cref="RoutingStep"/> via <see cref="IRoutingTraceReader.TryRead"/>).
    /// </summary>
    public ReadOnlySpan<ushort> ExpertIdsUInt16 => IdBytes == 2 && BitConverter.IsLittleEndian
        ? MemoryMarshal.Cast<byte, ushort>(ExpertIdBytes)
        : throw new InvalidOperationException("uint16 view needs 2-byte ids on a little-endian host");
}
