using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using MoESim.Config;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// One front-to-back pass over a binary <c>.moetrace</c> (layout in traces/README.md, "Binary"),
/// for replay's index: chunk by chunk into two pooled buffers (so the pass touches no fresh
/// memory), every chunk's magic, sizes and CRC32 checked, and each step handed out as its
/// header fields plus a span over its one-byte expert ids (valid until the next call). Replay
/// uses it only for traces with ≤ 256 experts (one byte per id). Problems are input errors
/// worded like <see cref="MoeTraceReader"/>'s (chunk byte offset, step, field).
/// </summary>
/// <remarks>
/// While the caller works through one chunk's steps, the next chunk is read and CRC-checked on
/// a pool thread (<see cref="BackgroundWork"/>): reading and checking are most of the pass, so
/// on two cores the steps' work hides behind them. A problem in that next chunk is reported
/// only when the caller reaches it, so errors come in file order.
/// </remarks>
internal sealed class MoeTraceScanner : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly long _fileLength;
    private readonly int _selectionsPerToken;
    private readonly int _bytesPerSelection;
    private byte[] _payload;
    private byte[] _spare;           // the next chunk is read into it
    private BackgroundWork? _reading; // reads the next chunk into _ahead
    private byte[] _ahead = [];      // the buffer _reading reads into (taken from _spare; a bigger pooled one once it grows), held until the chunk is taken, also when the read fails
    private Chunk _next;             // what _reading read
    private int _payloadLength;
    private int _position;
    private int _stepsInChunk;
    private long _nextChunkOffset;
    private readonly HeaderTotals _totals = new();

    /// <summary>Scans <paramref name="path"/>, whose header (already read and checked) is <paramref name="header"/>.</summary>
    public MoeTraceScanner(string path, MoeTraceHeader header)
    {
        if (header.Shape.NumExperts > 256) throw new ArgumentException("the scanner reads one-byte expert ids (≤ 256 experts)", nameof(header));
        Path = path;
        Header = header;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        _fileLength = RandomAccess.GetLength(_file);
        _selectionsPerToken = header.Shape.NumMoeLayers * header.Shape.TopK;
        _bytesPerSelection = header.Shape.HasGateWeights ? 5 : 1;
        _nextChunkOffset = header.SizeBytes;
        _payload = PooledArrays.Rent<byte>(MoeTraceFormat.TargetChunkPayloadBytes + (1 << 16));
        _spare = PooledArrays.Rent<byte>(_payload.Length);
    }

    public string Path { get; }
    public MoeTraceHeader Header { get; }
    /// <summary>Chunks read so far.</summary>
    public long Chunks { get; private set; }
    /// <summary>Steps returned so far.</summary>
    public long Steps { get; private set; }
    /// <summary>Byte offset of the chunk holding the last step returned.</summary>
    public long ChunkOffset { get; private set; }
    /// <summary>Index within its chunk of the last step returned.</summary>
    public int StepInChunk { get; private set; } = -1;

    /// <summary>The next step, or false at a clean end of file (after checking the header's totals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryNext(out ScannedStep step)
    {
        while (StepInChunk + 1 >= _stepsInChunk)
        {
            if (!LoadChunk())
            {
                step = default;
                return false;
            }
        }
        StepInChunk++;
        var p = _payload.AsSpan(0, _payloadLength);
        var at = _position;
        if (!ReadVarint(p, ref at, out var request) || !ReadVarint(p, ref at, out var iteration)
            || !ReadVarint(p, ref at, out var first) || !ReadVarint(p, ref at, out var packed))
            throw Error(StepInChunk, "step header", "truncated or corrupt varint");
        var tokens = packed >> 1;
        if (tokens < 1) throw Error(StepInChunk, "tokens", "a step has at least one token");
        var selections = (long)_selectionsPerToken * tokens;
        var bytes = selections * _bytesPerSelection;
        if (bytes > p.Length - at)
            throw Error(StepInChunk, "experts", $"step of {tokens} tokens needs {bytes} bytes but only {p.Length - at} remain in the chunk");
        step = new ScannedStep(request, iteration, first, tokens, (packed & 1) != 0, p.Slice(at, (int)selections));
        _position = at + (int)bytes;
        if (StepInChunk == _stepsInChunk - 1 && _position != _payloadLength)
            throw Error(-1, "payload", $"{_payloadLength - _position} bytes left over after the chunk's {_stepsInChunk} steps");
        Steps++;
        _totals.Add(request, tokens, (packed & 1) != 0);
        return true;
    }

    /// <summary>An input error at the current chunk (and step, when ≥ 0).</summary>
    public InputException Error(int stepInChunk, string field, string problem) => ErrorAt(ChunkOffset, stepInChunk, field, problem);

    private InputException ErrorAt(long chunkOffset, int stepInChunk, string field, string problem)
    {
        var where = stepInChunk >= 0 ? $"chunk at byte {chunkOffset}, step {stepInChunk}" : $"chunk at byte {chunkOffset}";
        return new InputException(Path, $"{where}: {field}", problem);
    }

    /// <summary>LEB128 with fast paths for one and two bytes (step fields are mostly below 16,384).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReadVarint(ReadOnlySpan<byte> p, ref int at, out int value)
    {
        if ((uint)(at + 1) < (uint)p.Length)
        {
            int b0 = p[at], b1 = p[at + 1];
            if (b0 < 0x80)
            {
                value = b0;
                at += 1;
                return true;
            }
            if (b1 < 0x80)
            {
                value = (b0 & 0x7F) | (b1 << 7);
                at += 2;
                return true;
            }
        }
        return Varint.TryRead(p, ref at, out value);
    }

    /// <summary>Reads and checks the next chunk; false at a clean end of file (after checking the header's totals).</summary>
    private bool LoadChunk()
    {
        Chunk chunk;
        if (_reading is { } reading)
        {
            _reading = null;
            reading.Finish(); // rethrows the chunk's problem, now that the caller has reached it (Dispose returns _ahead)
            (chunk, _next, _ahead) = (_next, default, []);
            _spare = _payload; // the chunk came in the old spare buffer (or a bigger one replacing it)
        }
        else chunk = ReadChunk(_nextChunkOffset, ref _payload);
        _payload = chunk.Buffer;
        if (chunk.Length == 0)
        {
            if (Chunks != Header.Chunks || Steps != Header.Steps)
                throw ErrorAt(chunk.Offset, -1, "end of file", $"truncated: the header lists {Header.Chunks} chunks and {Header.Steps} steps, the file ends after {Chunks} chunks and {Steps} steps");
            _totals.Check(Path, Header);
            return false;
        }
        ChunkOffset = chunk.Offset;
        _nextChunkOffset = chunk.Offset + MoeTraceFormat.ChunkHeaderBytes + chunk.Length;
        _payloadLength = chunk.Length;
        _position = 0;
        _stepsInChunk = chunk.Steps;
        StepInChunk = -1;
        Chunks++;
        ReadNextInBackground();
        return true;
    }

    private void ReadNextInBackground()
    {
        var offset = _nextChunkOffset;
        (_ahead, _spare) = (_spare, []);
        _reading = BackgroundWork.Start(() => _next = ReadChunk(offset, ref _ahead));
    }

    /// <summary>A chunk's payload (the first Length bytes of Buffer; Length 0 at the end of the file), its offset and step count.</summary>
    private readonly record struct Chunk(byte[] Buffer, long Offset, int Length, int Steps);

    /// <summary>
    /// Reads the chunk at <paramref name="offset"/> into <paramref name="buffer"/> and checks it. A
    /// bigger pooled buffer replaces <paramref name="buffer"/> at once (the old one goes back to the
    /// pool), so the owner holds the right one to return even when the read then fails.
    /// </summary>
    private Chunk ReadChunk(long offset, ref byte[] buffer)
    {
        var (length, steps) = MoeTraceChunkFrame.Read(_file, _fileLength, Path, offset, ref buffer, static (old, need) => PooledArrays.Grow(old, 0, need));
        return new Chunk(buffer, offset, length, steps);
    }

    public void Dispose()
    {
        if (_reading is { } reading)
        {
            _reading = null;
            try
            {
                reading.Finish(); // it still uses the file and a buffer
            }
            catch (Exception) { } // a problem the caller never reached (a bad chunk, an I/O error): thrown here, it would hide the exception that ended the scan
        }
        PooledArrays.Return(_ahead); // the read-ahead's buffer, read into or not (the same array as _next.Buffer when it succeeded)
        (_ahead, _next) = ([], default);
        _file.Dispose();
        PooledArrays.Return(_payload);
        PooledArrays.Return(_spare);
        (_payload, _spare) = ([], []);
    }
}
