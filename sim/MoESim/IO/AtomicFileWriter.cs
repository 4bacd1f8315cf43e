namespace MoESim.IO;

/// <summary>
/// A stream-at-a-time version of <see cref="AtomicFile"/> for writers that produce output over
/// many calls (trace writers): bytes go to a temp file beside the target, <see cref="Commit"/>
/// renames it into place, and disposing without committing deletes it.
/// </summary>
public sealed class AtomicFileWriter : IDisposable
{
    private readonly string _target;
    private readonly string _temp;
    private bool _committed;

    /// <summary>Creates the temp file (and the target's folder) for <paramref name="path"/>.</summary>
    public AtomicFileWriter(string path, int bufferBytes = 1 << 16)
    {
        _target = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(_target) ?? ".";
        Directory.CreateDirectory(folder);
        _temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(_target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Stream = new FileStream(_temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferBytes);
    }

    /// <summary>The temp file, readable, writable and seekable (so headers can be patched).</summary>
    public FileStream Stream { get; }

    /// <summary>Destination path.</summary>
    public string Path => _target;

    /// <summary>Flushes, closes and renames the temp file over the target.</summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("already committed");
        Stream.Flush();
        Stream.Dispose();
        File.Move(_temp, _target, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!_committed && File.Exists(_temp)) File.Delete(_temp);
    }
}
