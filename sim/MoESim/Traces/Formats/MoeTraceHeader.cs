using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>The binary trace header: shape, flags, model name and whole-file counts.</summary>
public sealed record MoeTraceHeader
{
    /// <summary>Model shape and gate-weight flag.</summary>
    public required TraceShape Shape { get; init; }
    /// <summary>Whole-file totals (see <see cref="TraceCounts"/>), written by the writer at completion.</summary>
    public long Requests { get; init; }
    public long Steps { get; init; }
    public long PrefillTokens { get; init; }
    public long DecodeTokens { get; init; }
    public long Selections { get; init; }
    public long Chunks { get; init; }

    /// <summary>Total header size in bytes, where the first chunk starts.</summary>
    public int SizeBytes => MoeTraceFormat.FixedHeaderBytes + Encoding.UTF8.GetByteCount(Shape.ModelName) + 4;

    /// <summary>The header bytes, CRC included.</summary>
    public byte[] Encode()
    {
        var name = Encoding.UTF8.GetBytes(Shape.ModelName);
        if (name.Length > MoeTraceFormat.MaxModelNameBytes) throw new ArgumentException($"model name longer than {MoeTraceFormat.MaxModelNameBytes} bytes");
        var bytes = new byte[MoeTraceFormat.FixedHeaderBytes + name.Length + 4];
        var s = bytes.AsSpan();
        MoeTraceFormat.FileMagic.CopyTo(s);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], MoeTraceFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(s[10..], Shape.HasGateWeights ? MoeTraceFormat.FlagGateWeights : (ushort)0);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)Shape.NumMoeLayers);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)Shape.NumExperts);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)Shape.TopK);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], Requests);
        BinaryPrimitives.WriteInt64LittleEndian(s[32..], Steps);
        BinaryPrimitives.WriteInt64LittleEndian(s[40..], PrefillTokens);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], DecodeTokens);
        BinaryPrimitives.WriteInt64LittleEndian(s[56..], Selections);
        BinaryPrimitives.WriteInt64LittleEndian(s[64..], Chunks);
        BinaryPrimitives.WriteUInt16LittleEndian(s[72..], (ushort)name.Length);
        name.CopyTo(s[74..]);
        var crcAt = MoeTraceFormat.FixedHeaderBytes + name.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(s[crcAt..], Crc32.HashToUInt32(s[..crcAt]));
        return bytes;
    }

    /// <summary>Reads and checks the header at the start of <paramref name="stream"/>.</summary>
    internal static MoeTraceHeader Read(string path, Stream stream)
    {
        var fixedPart = new byte[MoeTraceFormat.FixedHeaderBytes];
        var n = stream.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false);
        var magicBytes = Math.Min(n, 8);
        if (!fixedPart.AsSpan(0, magicBytes).SequenceEqual(MoeTraceFormat.FileMagic[..magicBytes]))
            throw Error(path, "magic", "not a .moetrace file (the first 8 bytes are not \"MOETRACE\")");
        if (n < fixedPart.Length)
            throw Error(path, "header", $"truncated: the file has {n} bytes, a header needs at least {MoeTraceFormat.FixedHeaderBytes + 4}");
        var s = fixedPart.AsSpan();
        var version = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        if (version != MoeTraceFormat.Version)
            throw Error(path, "version", $"unsupported version {version}; this MoESim reads version {MoeTraceFormat.Version}");
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(s[10..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(s[72..]);
        if (nameLength > MoeTraceFormat.MaxModelNameBytes) throw Error(path, "model name", $"length {nameLength} exceeds {MoeTraceFormat.MaxModelNameBytes} bytes");
        var rest = new byte[nameLength + 4];
        if (stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false) < rest.Length)
            throw Error(path, "header", "truncated in the model name or header CRC");
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(rest.AsSpan(nameLength));
        var crc = new Crc32();
        crc.Append(fixedPart);
        crc.Append(rest.AsSpan(0, nameLength));
        var actual = crc.GetCurrentHashAsUInt32();
        if (actual != expected) throw Error(path, "header crc32", $"stored 0x{expected:x8}, computed 0x{actual:x8}: the header is corrupt");
        if ((flags & ~MoeTraceFormat.FlagGateWeights) != 0) throw Error(path, "flags", $"unknown flag bits 0x{flags:x4}");
        var layers = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        var experts = BinaryPrimitives.ReadUInt32LittleEndian(s[16..]);
        var topK = BinaryPrimitives.ReadUInt32LittleEndian(s[20..]);
        if (layers is < 1 or > 65535) throw Error(path, "moe_layers", $"{layers} out of range 1..65535");
        if (experts is < 1 or > 65535) throw Error(path, "experts", $"{experts} out of range 1..65535");
        if (topK < 1 || topK > experts) throw Error(path, "top_k", $"{topK} out of range 1..{experts}");
        return new MoeTraceHeader
        {
            Shape = new TraceShape
            {
                NumMoeLayers = (int)layers, NumExperts = (int)experts, TopK = (int)topK,
                HasGateWeights = (flags & MoeTraceFormat.FlagGateWeights) != 0,
                ModelName = Encoding.UTF8.GetString(rest, 0, nameLength),
            },
            Requests = BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
            Steps = BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
            PrefillTokens = BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
            DecodeTokens = BinaryPrimitives.ReadInt64LittleEndian(s[48..]),
            Selections = BinaryPrimitives.ReadInt64LittleEndian(s[56..]),
            Chunks = BinaryPrimitives.ReadInt64LittleEndian(s[64..]),
        };
    }

    private static InputException Error(string path, string field, string problem) => new(path, $"header {field}", problem);
}
