using MoESim.Traces;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// Opens a replay router that saves the index file of any trace, however small: the tests'
/// traces are kilobytes, far below <see cref="TraceReplayRouter.IndexFileMinTraceBytes"/>.
/// </summary>
internal static class IndexSavingRouter
{
    public static TraceReplayRouter Open(string path, string model, int layers, int experts, int topK, IReadOnlyList<Request> requests) =>
        TraceReplayRouter.Open(path, model, layers, experts, topK, requests, TraceReplayRouter.DefaultCacheSelections,
            useIndexFile: true, TraceReplayRouter.SummaryBudgetBytes, indexFileMinTraceBytes: 0);
}
