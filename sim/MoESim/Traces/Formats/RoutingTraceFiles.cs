using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Opens expert-selection trace files by extension: <c>.jsonl</c> (read, write), <c>.moetrace</c>
/// (read, write), <c>.csv</c> (read: import of per-token routing dumps).
/// </summary>
public static class RoutingTraceFiles
{
    /// <summary>Extensions a trace can be read from.</summary>
    public const string ReadableExtensions = ".jsonl, .moetrace or .csv";
    /// <summary>Extensions a trace can be written to.</summary>
    public const string WritableExtensions = ".jsonl or .moetrace";

    /// <summary>A streaming reader for <paramref name="path"/>, chosen by its extension.</summary>
    public static ISeekableTraceReader OpenReader(string path) => Extension(path) switch
    {
        ".jsonl" => new JsonlTraceReader(path),
        ".moetrace" => new MoeTraceReader(path),
        ".csv" => new CsvTraceReader(path),
        _ => throw new InputException(path, "extension", $"unknown trace format \"{System.IO.Path.GetExtension(path)}\" (expected {ReadableExtensions})"),
    };

    /// <summary>A writer for <paramref name="path"/> (JSONL or binary by extension); output appears at Complete.</summary>
    public static IRoutingTraceWriter CreateWriter(string path, TraceShape shape) => Extension(path) switch
    {
        ".jsonl" => new JsonlTraceWriter(path, shape),
        ".moetrace" => new MoeTraceWriter(path, shape),
        ".csv" => throw new InputException(path, "extension", $"CSV is an import format only; write {WritableExtensions}"),
        _ => throw new InputException(path, "extension", $"unknown trace format \"{System.IO.Path.GetExtension(path)}\" (expected {WritableExtensions})"),
    };

    private static string Extension(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant();
}
