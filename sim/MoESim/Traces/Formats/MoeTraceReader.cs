using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Streams a binary <c>.moetrace</c> trace chunk by chunk: one payload buffer (≈1 MiB, the
/// largest chunk), CRC32 checked per chunk, steps decoded from spans into the caller's reusable
/// <see cref="RoutingStep"/> (or viewed in place by <see cref="TryReadPacked"/>), nothing
/// allocated per step; ids are validated on the packed bytes before any widening. Problems are input errors naming the
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
    private int[] _wideIds = [];   // big-endian hosts only: uint16 ids widened for checking
    private int _payloadLength;
    private int _position;
    private int _stepsInChunk;
    private int _stepInChunk;
    private long _chunkOffset;
    private long _nextChunkOffset;
    private bool _seeked;
    private bool _finished;
    private readonly HeaderTotals _totals = new();

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
        if (_stepsInChunk > 0 && position.ByteOffset == _chunkOffset && position.StepInChunk < _stepsInChunk)
        {
            // The chunk is still in the buffer (replay decodes neighbouring requests in turn): rewind in place.
            _position = 0;
            _stepInChunk = 0;
            for (var j = 0; j < position.StepInChunk; j++) SkipStep();
            return;
        }
        _nextChunkOffset = position.ByteOffset;
        _stepsInChunk = _stepInChunk = 0;
        if (position.StepInChunk == 0) return;
        if (!LoadChunk() || position.StepInChunk >= _stepsInChunk)
            throw Error(position.ByteOffset, -1, "seek", $"no step {position.StepInChunk} in this chunk");
        for (var j = 0; j < position.StepInChunk; j++) SkipStep();
    }

    public bool TryRead(RoutingStep step)
    {
        if (!TryReadPacked(out var packed)) return false;
        step.Reset(packed.RequestId, packed.Iteration, packed.FirstTokenIndex, packed.TokenCount, packed.IsPrefill, Shape.NumMoeLayers, Shape.TopK, Shape.HasGateWeights);
        if (_idBytes == 1) ExpertIdDecoder.WidenBytes(packed.ExpertIdBytes, step.ExpertIds);
        else ExpertIdDecoder.WidenUInt16(packed.ExpertIdBytes, step.ExpertIds);
        if (Shape.HasGateWeights)
        {
            var src = packed.GateWeightBytes;
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(src).CopyTo(step.GateWeights);
            else for (var i = 0; i < step.GateWeights.Length; i++) step.GateWeights[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
        }
        return true;
    }

    /// <summary>
    /// Reads the next step without copying its ids: <paramref name="step"/> views them in the
    /// chunk buffer (valid until the next read or seek). Checks are those of
    /// <see cref="TryRead"/> (ids in range, no repeat within a token, order), run on the packed
    /// bytes. False at the end of the trace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadPacked(out PackedRoutingStep step)
    {
        while (_stepInChunk >= _stepsInChunk)
        {
            if (_finished || !LoadChunk())
            {
                _finished = true;
                step = default;
                return false;
            }
        }
        var p = _payload.AsSpan(0, _payloadLength);
        ReadStepHeader(p, out var request, out var iteration, out var first, out var tokens, out var prefill);
        var selections = (long)Shape.NumMoeLayers * tokens * Shape.TopK;
        var weightBytes = Shape.HasGateWeights ? 4 : 0;
        var bytes = selections * (_idBytes + weightBytes);
        if (bytes > p.Length - _position)
            throw Error(_chunkOffset, _stepInChunk, "experts", $"step of {tokens} tokens needs {bytes} bytes but only {p.Length - _position} remain in the chunk");
        var n = (int)selections;
        var ids = p.Slice(_position, n * _idBytes);
        var weights = p.Slice(_position + n * _idBytes, n * weightBytes);
        _position += (int)bytes;
        var problem = CheckSelections(ids, tokens, first) ?? (_validator.CheckOrder ? _validator.CheckSequence(request, iteration, first, tokens, prefill) : null);
        if (problem is { } p2)
            throw Error(_chunkOffset, _stepInChunk, p2.Field, p2.Problem);
        _stepInChunk++;
        if (_stepInChunk == _stepsInChunk && _position != _payloadLength)
            throw Error(_chunkOffset, -1, "payload", $"{_payloadLength - _position} bytes left over after the chunk's {_stepsInChunk} steps");
        StepsRead++;
        _totals.Add(request, tokens, prefill);
        step = new PackedRoutingStep(request, iteration, first, tokens, prefill, _idBytes, ids, weights);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepProblem? CheckSelections(ReadOnlySpan<byte> ids, int tokens, int first)
    {
        if (_idBytes == 1) return _validator.CheckSelections(ids, tokens, Shape.TopK, first);
        if (BitConverter.IsLittleEndian) return _validator.CheckSelections(MemoryMarshal.Cast<byte, ushort>(ids), tokens, Shape.TopK, first);
        if (_wideIds.Length < ids.Length / 2) _wideIds = new int[ids.Length / 2];
        var wide = _wideIds.AsSpan(0, ids.Length / 2);
        ExpertIdDecoder.WidenUInt16(ids, wide);
        return _validator.CheckSelections<int>(wide, tokens, Shape.TopK, first);
    }

    /// <summary>
    /// Like <see cref="TryRead"/> but fills only the step's header fields (request, iteration,
    /// tokens, phase; the id buffers are sized, not filled) and skips its payload: replay's
    /// index pass needs no ids, and skipping them makes it CRC-speed. Order checks still apply;
    /// ids are checked when a step is read in full.
    /// </summary>
    internal bool TryReadHeaderOnly(RoutingStep step)
    {
        while (_stepInChunk >= _stepsInChunk)
        {
            if (_finished || !LoadChunk())
            {
                _finished = true;
                return false;
            }
        }
        ReadStepHeader(_payload.AsSpan(0, _payloadLength), out var request, out var iteration, out var first, out var tokens, out var prefill);
        var bytes = (long)Shape.NumMoeLayers * tokens * Shape.TopK * (_idBytes + (Shape.HasGateWeights ? 4 : 0));
        if (bytes > _payloadLength - _position)
            throw Error(_chunkOffset, _stepInChunk, "experts", $"step of {tokens} tokens needs {bytes} bytes but only {_payloadLength - _position} remain in the chunk");
        step.Reset(request, iteration, first, tokens, prefill, Shape.NumMoeLayers, Shape.TopK, Shape.HasGateWeights);
        _position += (int)bytes;
        if (_validator.CheckOrder && _validator.CheckSequence(step) is { } problem)
            throw Error(_chunkOffset, _stepInChunk, problem.Field, problem.Problem);
        _stepInChunk++;
        if (_stepInChunk == _stepsInChunk && _position != _payloadLength)
            throw Error(_chunkOffset, -1, "payload", $"{_payloadLength - _position} bytes left over after the chunk's {_stepsInChunk} steps");
        StepsRead++;
        _totals.Add(request, tokens, prefill);
        return true;
    }

    private void SkipStep()
    {
        ReadStepHeader(_payload.AsSpan(0, _payloadLength), out _, out _, out _, out var tokens, out _);
        _position += (int)((long)Shape.NumMoeLayers * tokens * Shape.TopK * (_idBytes + (Shape.HasGateWeights ? 4 : 0)));
        _stepInChunk++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LoadChunk()
    {
        var offset = _nextChunkOffset;
        var (length, steps) = MoeTraceChunkFrame.Read(_file, _fileLength, Path, offset, ref _payload, static (_, need) => new byte[need]);
        if (length == 0)
        {
            CheckTotals(offset);
            return false;
        }
        _chunkOffset = offset;
        _nextChunkOffset = offset + MoeTraceFormat.ChunkHeaderBytes + length;
        _payloadLength = length;
        _position = 0;
        _stepsInChunk = steps;
        _stepInChunk = 0;
        ChunksRead++;
        return true;
    }

    private void CheckTotals(long endOffset)
    {
        if (_seeked) return;
        if (ChunksRead != Header.Chunks || StepsRead != Header.Steps)
            throw Error(endOffset, -1, "end of file", $"truncated: the header lists {Header.Chunks} chunks and {Header.Steps} steps, the file ends after {ChunksRead} chunks and {StepsRead} steps");
        _totals.Check(Path, Header);
    }

    private InputException Error(long chunkOffset, int step, string field, string problem)
    {
        var where = step >= 0 ? $"chunk at byte {chunkOffset}, step {step}" : $"chunk at byte {chunkOffset}";
        return new InputException(Path, $"{where}: {field}", problem);
    }

    public void Dispose() => _file.Dispose();
}
