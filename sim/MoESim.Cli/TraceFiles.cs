using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Cli;

/// <summary>Opens expert-selection trace files for commands that read them.</summary>
internal static class TraceFiles
{
    /// <summary>
    /// A streaming reader for <paramref name="path"/>, chosen by extension
    /// (<see cref="RoutingTraceFiles.ReadableExtensions"/>); an unknown extension or a malformed
    /// file is an input error. Callers check the trace's shape against their model.
    /// </summary>
    public static IRoutingTraceReader Open(string path) => RoutingTraceFiles.OpenReader(path);
}
