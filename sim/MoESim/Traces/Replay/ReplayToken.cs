using System.Buffers.Binary;

namespace MoESim.Traces.Replay;

/// <summary>
/// One stored trace token: its phase's layer-major id array (one byte per id, or two
/// little-endian bytes when <paramref name="wide"/>), that phase's stored token count and the token's ordinal.
/// </summary>
internal readonly struct ReplayToken(byte[] data, int phaseTokens, int ordinal, bool wide)
{
    /// <summary>The <paramref name="j"/>-th (0..k-1) expert id of this token at <paramref name="layer"/>.</summary>
    public int Id(int layer, int topK, int j)
    {
        var i = (layer * phaseTokens + ordinal) * topK + j;
        return wide ? BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2 * i, 2)) : data[i];
    }
}
