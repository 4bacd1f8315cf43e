using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using MoESim.IO;

namespace MoESim.Traces.Formats;

/// <summary>
/// Writes the binary <c>.moetrace</c> format: a header (counts filled in by <see cref="Complete"/>
/// by seeking back), then chunks of whole steps of about 1 MiB, each with a CRC32 of its payload.
/// Memory: one chunk buffer. Atomic (temp file + rename).
/// </summary>
public sealed class MoeTraceWriter : IRoutingTraceWriter
{
    private readonly TraceShape _shape;
    private readonly AtomicFileWriter _file;
    private readonly TraceCounts _counts = new();
    private readonly int _idBytes;
    private byte[] _payload = new byte[MoeTraceFormat.TargetChunkPayloadBytes + (1 << 16)];
    private int _payloadLength;
    private int _stepsInChunk;
    private long _chunks;

    /// <summary>Starts a trace of <paramref name="shape"/> at <paramref name="path"/>.</summary>
    public MoeTraceWriter(string path, TraceShape shape)
    {
        _shape = shape;
        _idBytes = MoeTraceFormat.IdBytes(shape.NumExperts);
        _file = new AtomicFileWriter(path, 1 << 20);
        // Placeholder header of the final size; Complete rewrites it with the counts.
        _file.Stream.Write(new MoeTraceHeader { Shape = shape }.Encode());
    }

    public void Write(RoutingStep step)
    {
        TraceShapeGuard.Check(_shape, step);
        var selections = step.ExpertIds.Length;
        var need = 4 * Varint.MaxBytes + selections * _idBytes + (_shape.HasGateWeights ? selections * 4 : 0);
        if (need > MoeTraceFormat.MaxChunkPayloadBytes)
            throw new ArgumentException($"a step of {selections} selections exceeds the {MoeTraceFormat.MaxChunkPayloadBytes}-byte chunk limit", nameof(step));
        if (_payloadLength > 0 && _payloadLength + need > MoeTraceFormat.TargetChunkPayloadBytes) FlushChunk();
        if (_payloadLength + need > _payload.Length) Array.Resize(ref _payload, _payloadLength + need);
        var s = _payload.AsSpan(_payloadLength);
        var at = Varint.Write(s, (uint)step.RequestId);
        at += Varint.Write(s[at..], (uint)step.Iteration);
        at += Varint.Write(s[at..], (uint)step.FirstTokenIndex);
        at += Varint.Write(s[at..], ((uint)step.TokenCount << 1) | (step.IsPrefill ? 1u : 0u));
        var ids = step.ExpertIds;
        if (_idBytes == 1)
        {
            var dst = s.Slice(at, selections);
            for (var i = 0; i < ids.Length; i++) dst[i] = (byte)ids[i];
        }
        else
        {
            var dst = s.Slice(at, selections * 2);
            for (var i = 0; i < ids.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst[(2 * i)..], (ushort)ids[i]);
        }
        at += selections * _idBytes;
        if (_shape.HasGateWeights)
        {
            var dst = s.Slice(at, selections * 4);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(step.GateWeights).CopyTo(dst);
            else for (var i = 0; i < selections; i++) BinaryPrimitives.WriteSingleLittleEndian(dst[(4 * i)..], step.GateWeights[i]);
            at += selections * 4;
        }
        _payloadLength += at;
        _stepsInChunk++;
        _counts.Add(step);
        if (_payloadLength >= MoeTraceFormat.TargetChunkPayloadBytes) FlushChunk();
    }

    private void FlushChunk()
    {
        if (_stepsInChunk == 0) return;
        Span<byte> header = stackalloc byte[MoeTraceFormat.ChunkHeaderBytes];
        MoeTraceFormat.ChunkMagic.CopyTo(header);
        var payload = _payload.AsSpan(0, _payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)_payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)_stepsInChunk);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32.HashToUInt32(payload));
        _file.Stream.Write(header);
        _file.Stream.Write(payload);
        _payloadLength = 0;
        _stepsInChunk = 0;
        _chunks++;
    }

    public void Complete()
    {
        FlushChunk();
        _file.Stream.Seek(0, SeekOrigin.Begin);
        _file.Stream.Write(new MoeTraceHeader
        {
            Shape = _shape,
            Requests = _counts.Requests,
            Steps = _counts.Steps,
            PrefillTokens = _counts.PrefillTokens,
            DecodeTokens = _counts.DecodeTokens,
            Selections = _counts.Selections,
            Chunks = _chunks,
        }.Encode());
        _file.Commit();
    }

    public void Dispose() => _file.Dispose();
}
