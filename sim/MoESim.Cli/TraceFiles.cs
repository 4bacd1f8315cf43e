using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Cli;

/// <summary>Opens expert-selection trace files for commands that read them.</summary>
internal static class TraceFiles
{
    /// <summary>
    /// A reader for <paramref name="path"/>. The file readers come from the trace-io work
    /// (Traces/Formats, RoutingTraceFiles.OpenReader); until they are merged, files are refused
    /// with an input error rather than read wrongly.
    /// </summary>
    public static IRoutingTraceReader Open(string path) =>
        throw new InputException(path, "--trace", "reading trace files needs the trace readers (RoutingTraceFiles), not merged on this branch yet; use --trace synthetic");
}
