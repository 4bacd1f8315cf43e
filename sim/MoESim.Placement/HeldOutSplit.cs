using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Placement;

/// <summary>
/// Splits a trace into a fit part and a held-out part by request, in order of first appearance:
/// the first (1 − holdout) of the requests fit the placement, the rest score it, as when a
/// placement computed from yesterday's traffic serves today's.
/// </summary>
public static class HeldOutSplit
{
    /// <summary>
    /// Streams the trace twice (first to count requests, then to split), so memory stays bounded.
    /// <paramref name="open"/> must return a fresh reader positioned at the start each time.
    /// </summary>
    /// <param name="open">Opens the trace from its start.</param>
    /// <param name="modelShape">The model's shape; the trace must match it.</param>
    /// <param name="numDevices">Devices tokens originate on.</param>
    /// <param name="holdoutFraction">Share of requests held out, in [0, 1); 0 scores on the fit part.</param>
    public static (RoutingStatistics Fit, RoutingStatistics HeldOut) Split(Func<IRoutingTraceReader> open, TraceShape modelShape, int numDevices, double holdoutFraction)
    {
        if (!(holdoutFraction >= 0 && holdoutFraction < 1))
            throw new InputException($"{holdoutFraction}", "--holdout", "must be in [0, 1)");
        var step = new RoutingStep();
        var requests = new HashSet<int>();
        string path;
        using (var reader = open())
        {
            path = reader.Path;
            CheckShape(reader.Shape, modelShape, path);
            while (reader.TryRead(step)) requests.Add(step.RequestId);
        }
        if (requests.Count == 0) throw new InputException(path, "trace", "has no routing steps");
        var fitRequests = FitRequestCount(requests.Count, holdoutFraction, path);
        var fit = new RoutingStatisticsBuilder(modelShape, numDevices, path);
        var held = holdoutFraction == 0 ? fit : new RoutingStatisticsBuilder(modelShape, numDevices, path);
        var order = new Dictionary<int, int>();
        using (var reader = open())
        {
            while (reader.TryRead(step))
            {
                if (!order.TryGetValue(step.RequestId, out var index)) order[step.RequestId] = index = order.Count;
                (index < fitRequests ? fit : held).Add(step);
            }
        }
        var fitStats = fit.Build();
        return (fitStats, holdoutFraction == 0 ? fitStats : held.Build());
    }

    /// <summary>
    /// Copies the held-out part (the same requests <see cref="Split(Func{IRoutingTraceReader}, TraceShape, int, double)"/>
    /// scores on; the whole trace when <paramref name="holdoutFraction"/> is 0) to
    /// <paramref name="writer"/> and completes it, so that it can be replayed. Returns the steps written.
    /// Throws <see cref="InputException"/> as <see cref="FitRequestCount"/> does (holdout outside [0, 1),
    /// an empty fit or held-out part).
    /// </summary>
    public static long WriteHeldOut(Func<IRoutingTraceReader> open, double holdoutFraction, IRoutingTraceWriter writer)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(writer);
        var step = new RoutingStep();
        var requests = new HashSet<int>();
        string path;
        using (var reader = open())
        {
            path = reader.Path;
            while (reader.TryRead(step)) requests.Add(step.RequestId);
        }
        var fitRequests = FitRequestCount(requests.Count, holdoutFraction, path);
        if (holdoutFraction == 0) fitRequests = 0; // nothing held out: the whole trace is scored
        var order = new Dictionary<int, int>();
        long written = 0;
        using (var reader = open())
        {
            while (reader.TryRead(step))
            {
                if (!order.TryGetValue(step.RequestId, out var index)) order[step.RequestId] = index = order.Count;
                if (index < fitRequests) continue;
                writer.Write(step);
                written++;
            }
        }
        writer.Complete();
        return written;
    }

    /// <summary>In-memory variant of the streaming Split for steps already held (tests, synthetic traces).</summary>
    public static (RoutingStatistics Fit, RoutingStatistics HeldOut) Split(IReadOnlyList<RoutingStep> steps, TraceShape modelShape, int numDevices, double holdoutFraction) =>
        Split(() => new InMemoryTraceReader(steps, modelShape), modelShape, numDevices, holdoutFraction);

    /// <summary>
    /// Requests (in order of first appearance) that fit the placement: all of them when
    /// <paramref name="holdoutFraction"/> is 0, else floor(requests × (1 − holdout)); throws
    /// <see cref="InputException"/> when the fit or the held-out part would be empty.
    /// </summary>
    internal static int FitRequestCount(int requests, double holdoutFraction, string path)
    {
        if (!(holdoutFraction >= 0 && holdoutFraction < 1))
            throw new InputException($"{holdoutFraction}", "--holdout", "must be in [0, 1)");
        var fitRequests = holdoutFraction == 0 ? requests : (int)Math.Floor(requests * (1 - holdoutFraction));
        if (fitRequests < 1 || fitRequests >= requests && holdoutFraction > 0)
            throw new InputException(path, "--holdout", $"{holdoutFraction} of {requests} requests leaves an empty fit or held-out part");
        return fitRequests;
    }

    /// <summary>Throws when a trace's shape differs from the model's.</summary>
    public static void CheckShape(TraceShape trace, TraceShape model, string path)
    {
        if (!trace.Matches(model.NumMoeLayers, model.NumExperts, model.TopK))
            throw new InputException(path, "shape", $"the trace was recorded for {trace.Describe()} but the model has {model.Describe()}");
    }
}
