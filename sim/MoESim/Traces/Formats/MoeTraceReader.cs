using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Streams a binary <c>.moetrace</c> trace chunk by chunk: one payload buffer (≈1 MiB, the
/// largest chunk), CRC32 checked per chunk, steps decoded from spans into the caller's reusable
/// <see cref="RoutingStep"/>, nothing allocated per step. Problems are input errors naming the
/// chunk's byte offset, the step within it, the field and what is wrong.
/// </summary>
public sealed class MoeTraceReader : ISeekableTraceReader
{
    private readonly SafeFileHandle _file;
    private readonly long _fileLength;
    private readonly RoutingStepValidator _validator;
    private readonly int _idBytes;
    private readonly long _firstChunkOffset;
    private byte[] _payload = new byte[MoeTraceFormat.TargetChunkPayloadBytes + (1 << 16)];
    private int _payloadLength;
    private int _position;
    private int _stepsInChunk;
    private int _stepInChunk;
    private long _chunkOffset;
    private long _nextChunkOffset;
    private bool _seeked;
    private bool _finished;

    /// <summary>Opens <paramref name="path"/> and checks its header.</summary>
    public MoeTraceReader(string path)
    {
        Path = path;
        using (var stream = TraceFileOpener.OpenRead(path, 4096))
        {
            Header = MoeTraceHeader.Read(path, stream);
            _firstChunkOffset = stream.Position;
            _fileLength = stream.Length;
        }
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        _validator = new RoutingStepValidator(Shape);
        _idBytes = MoeTraceFormat.IdBytes(Shape.NumExperts);
        _nextChunkOffset = _firstChunkOffset;
    }

    public string Path { get; }
    public TraceShape Shape => Header.Shape;
    /// <summary>The header: shape and the writer's whole-file counts.</summary>
    public MoeTraceHeader Header { get; }
    /// <summary>Chunks loaded so far (in a front-to-back pass, the chunk count at the end).</summary>
    public long ChunksRead { get; private set; }
    /// <summary>Steps returned so far.</summary>
    public long StepsRead { get; private set; }

    public TracePosition Position => _stepInChunk < _stepsInChunk
        ? new TracePosition(_chunkOffset, 0, _stepInChunk)
        : new TracePosition(_nextChunkOffset, 0, 0);

    public void Seek(TracePosition position)
    {
        _seeked = true;
        _validator.CheckOrder = false;
        _finished = false;
        _nextChunkOffset = position.ByteOffset;
        _stepsInChunk = _stepInChunk = 0;
        if (position.StepInChunk == 0) return;
        if (!LoadChunk() || position.StepInChunk >= _stepsInChunk)
            throw Error(position.ByteOffset, -1, "seek", $"no step {position.StepInChunk} in this chunk");
        for (var j = 0; j < position.StepInChunk; j++) SkipStep();
    }

    public bool TryRead(RoutingStep step)
    {
        while (_stepInChunk >= _stepsInChunk)
        {
            if (_finished || !LoadChunk())
            {
                _finished = true;
                return false;
            }
        }
        DecodeStep(step);
        StepsRead++;
        return true;
    }

    private void DecodeStep(RoutingStep step)
    {
        var p = _payload.AsSpan(0, _payloadLength);
        ReadStepHeader(p, out var request, out var iteration, out var first, out var tokens, out var prefill);
        var selections = (long)Shape.NumMoeLayers * tokens * Shape.TopK;
        var bytes = selections * (_idBytes + (Shape.HasGateWeights ? 4 : 0));
        if (bytes > p.Length - _position)
            throw Error(_chunkOffset, _stepInChunk, "experts", $"step of {tokens} tokens needs {bytes} bytes but only {p.Length - _position} remain in the chunk");
        step.Reset(request, iteration, first, tokens, prefill, Shape.NumMoeLayers, Shape.TopK, Shape.HasGateWeights);
        var n = (int)selections;
        if (_idBytes == 1) ExpertIdDecoder.WidenBytes(p.Slice(_position, n), step.ExpertIds);
        else ExpertIdDecoder.WidenUInt16(p.Slice(_position, n * 2), step.ExpertIds);
        _position += n * _idBytes;
        if (Shape.HasGateWeights)
        {
            var src = p.Slice(_position, n * 4);
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(src).CopyTo(step.GateWeights);
            else for (var i = 0; i < n; i++) step.GateWeights[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
            _position += n * 4;
        }
        if (_validator.Check(step) is { } problem)
            throw Error(_chunkOffset, _stepInChunk, problem.Field, problem.Problem);
        _stepInChunk++;
        if (_stepInChunk == _stepsInChunk && _position != _payloadLength)
            throw Error(_chunkOffset, -1, "payload", $"{_payloadLength - _position} bytes left over after the chunk's {_stepsInChunk} steps");
    }

    private void SkipStep()
    {
        ReadStepHeader(_payload.AsSpan(0, _payloadLength), out _, out _, out _, out var tokens, out _);
        _position += (int)((long)Shape.NumMoeLayers * tokens * Shape.TopK * (_idBytes + (Shape.HasGateWeights ? 4 : 0)));
        _stepInChunk++;
    }

    private void ReadStepHeader(ReadOnlySpan<byte> p, out int request, out int iteration, out int first, out int tokens, out bool prefill)
    {
        if (!Varint.TryRead(p, ref _position, out request) || !Varint.TryRead(p, ref _position, out iteration)
            || !Varint.TryRead(p, ref _position, out first) || !Varint.TryRead(p, ref _position, out var packed))
            throw Error(_chunkOffset, _stepInChunk, "step header", "truncated or corrupt varint");
        tokens = packed >> 1;
        prefill = (packed & 1) != 0;
        if (tokens < 1) throw Error(_chunkOffset, _stepInChunk, "tokens", "a step has at least one token");
    }

    /// <summary>Reads and checks the chunk at <see cref="_nextChunkOffset"/>; false at a clean end of file.</summary>
    private bool LoadChunk()
    {
        var offset = _nextChunkOffset;
        Span<byte> header = stackalloc byte[MoeTraceFormat.ChunkHeaderBytes];
        var got = ReadAt(header, offset);
        if (got == 0)
        {
            CheckTotals(offset);
            return false;
        }
        if (got < header.Length)
            throw Error(offset, -1, "chunk header", $"truncated: {got} of {MoeTraceFormat.ChunkHeaderBytes} bytes");
        if (!header[..4].SequenceEqual(MoeTraceFormat.ChunkMagic))
            throw Error(offset, -1, "chunk magic", "expected \"MTCK\" (corrupt file or wrong offset)");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var steps = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (length is 0 or > MoeTraceFormat.MaxChunkPayloadBytes)
            throw Error(offset, -1, "chunk length", $"{length} bytes, expected 1..{MoeTraceFormat.MaxChunkPayloadBytes}");
        if (steps == 0 || steps > length) throw Error(offset, -1, "chunk steps", $"{steps} steps in {length} bytes");
        if (_payload.Length < length) _payload = new byte[length];
        var payload = _payload.AsSpan(0, (int)length);
        got = ReadAt(payload, offset + header.Length);
        if (got < length)
            throw Error(offset, -1, "chunk payload", $"truncated: the chunk declares {length} payload bytes, the file ends after {got}");
        var actual = Crc32.HashToUInt32(payload);
        if (actual != crc)
            throw Error(offset, -1, "chunk crc32", $"stored 0x{crc:x8}, computed 0x{actual:x8}: the chunk is corrupt");
        _chunkOffset = offset;
        _nextChunkOffset = offset + header.Length + length;
        _payloadLength = (int)length;
        _position = 0;
        _stepsInChunk = (int)steps;
        _stepInChunk = 0;
        ChunksRead++;
        return true;
    }

    private void CheckTotals(long endOffset)
    {
        if (_seeked) return;
        if (ChunksRead != Header.Chunks || StepsRead != Header.Steps)
            throw Error(endOffset, -1, "end of file", $"truncated: the header lists {Header.Chunks} chunks and {Header.Steps} steps, the file ends after {ChunksRead} chunks and {StepsRead} steps");
    }

    private int ReadAt(Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length && offset + total < _fileLength)
        {
            var n = RandomAccess.Read(_file, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private InputException Error(long chunkOffset, int step, string field, string problem)
    {
        var where = step >= 0 ? $"chunk at byte {chunkOffset}, step {step}" : $"chunk at byte {chunkOffset}";
        return new InputException(Path, $"{where}: {field}", problem);
    }

    public void Dispose() => _file.Dispose();
}
