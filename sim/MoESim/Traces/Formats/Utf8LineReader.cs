namespace MoESim.Traces.Formats;

/// <summary>
/// Reads a UTF-8 text file line by line as byte spans from one reusable buffer (grown only for
/// a longer line), tracking each line's number and byte offset so readers can name it in errors
/// and seek back to it. Line ends are \n or \r\n; a last line without \n is still a line.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private readonly FileStream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;   // first unread byte in _buffer
    private int _end;     // one past the last valid byte
    private long _bufferFileOffset; // file offset of _buffer[0]
    private bool _eof;

    public Utf8LineReader(FileStream stream) => _stream = stream;

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Byte offset of the line last returned.</summary>
    public long LineOffset { get; private set; }

    /// <summary>Byte offset where the next line starts.</summary>
    public long NextOffset => _bufferFileOffset + _start;

    /// <summary>The next line without its terminator; false at the end of the file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = Take(nl, nl + 1);
                return true;
            }
            if (_eof)
            {
                if (_start == _end)
                {
                    line = default;
                    return false;
                }
                line = Take(_end - _start, _end - _start);
                return true;
            }
            Fill();
        }
    }

    private ReadOnlySpan<byte> Take(int length, int consumed)
    {
        LineOffset = _bufferFileOffset + _start;
        LineNumber++;
        var span = _buffer.AsSpan(_start, length);
        if (span.Length > 0 && span[^1] == (byte)'\r') span = span[..^1];
        _start += consumed;
        return span;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferFileOffset += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    /// <summary>Continues reading at <paramref name="offset"/>, which starts line <paramref name="line"/>.</summary>
    public void Seek(long offset, long line)
    {
        _stream.Seek(offset, SeekOrigin.Begin);
        _bufferFileOffset = offset;
        _start = _end = 0;
        _eof = false;
        LineNumber = line - 1;
    }

    public void Dispose() => _stream.Dispose();
}
