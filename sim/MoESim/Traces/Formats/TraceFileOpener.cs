using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>Opens a trace file for sequential reading, turning a missing file into an input error.</summary>
internal static class TraceFileOpener
{
    public static FileStream OpenRead(string path, int bufferBytes = 1 << 16)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferBytes, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, "", "trace file not found");
        }
    }

    /// <summary>An input error at a text line (clamped to the int range InputError carries).</summary>
    public static InputException AtLine(string path, long line, int column, string field, string problem) =>
        new(new InputError(path, (int)Math.Min(line, int.MaxValue), column, field, problem));
}
