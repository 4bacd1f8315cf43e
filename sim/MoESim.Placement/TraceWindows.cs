using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Placement;

/// <summary>
/// Cuts the scored part of a trace (the held-out requests of <see cref="HeldOutSplit"/>; the
/// whole trace when the holdout is 0) into consecutive time windows of equal step counts.
/// </summary>
/// <remarks>
/// Steps (one request's one iteration) are ranked in time order, <see cref="WindowOrder.File"/>
/// or <see cref="WindowOrder.Iteration"/>. A recorder writes steps as its server ran them,
/// interleaving requests (within a request iterations increase), so for a recorded trace file
/// order is serving order; a trace written request after request (<c>trace gen</c>) has no
/// interleaving, and iteration order treats its requests as running together. Window w of N holds
/// the scored steps of rank i (0-based) in [⌊w·S/N⌋, ⌊(w+1)·S/N⌋), S the scored steps, so windows
/// differ by at most one step. The trace is streamed (once per window in iteration order), so at
/// most two windows' statistics are held at once by <see cref="WindowedPlacement"/>.
/// </remarks>
public sealed class TraceWindows
{
    private readonly Func<IRoutingTraceReader> _open;
    private readonly TraceShape _shape;
    private readonly int _devices;
    private readonly int _fitRequests;
    private readonly bool _scoreAll;
    private readonly long[] _bounds;
    // Iteration order: each distinct iteration value's position among them (sorted), and per position the rank of the
    // first scored step of that iteration. Positions, not the values, index the arrays: iterations only increase, so a
    // trace may number them by a global step counter (10^9), and memory must follow the distinct values.
    private readonly Dictionary<int, int>? _iterationPosition;
    private readonly long[]? _iterationStart;

    private TraceWindows(Func<IRoutingTraceReader> open, TraceShape shape, int devices, int fitRequests, bool scoreAll, long[] bounds,
        (Dictionary<int, int> Position, long[] Start)? iterations)
    {
        _iterationPosition = iterations?.Position;
        _iterationStart = iterations?.Start;
        _open = open;
        _shape = shape;
        _devices = devices;
        _fitRequests = fitRequests;
        _scoreAll = scoreAll;
        _bounds = bounds;
    }

    /// <summary>How steps are ordered in time.</summary>
    public WindowOrder Order => _iterationStart is null ? WindowOrder.File : WindowOrder.Iteration;

    /// <summary>Windows, ≥ 2.</summary>
    public int Count => _bounds.Length - 1;

    /// <summary>Steps of the scored part, ≥ <see cref="Count"/>.</summary>
    public long ScoredSteps => _bounds[^1];

    /// <summary>Trace steps in window <paramref name="window"/> (0-based), ≥ 1.</summary>
    public long StepsIn(int window) => _bounds[window + 1] - _bounds[window];

    /// <summary>
    /// Reads the trace once to count its requests and steps and fixes the window boundaries.
    /// <paramref name="open"/> must return a fresh reader at the start of the trace each time.
    /// Throws <see cref="InputException"/> when <paramref name="windows"/> is below 2, when the
    /// scored part has fewer steps than windows, or when the holdout leaves an empty part.
    /// </summary>
    /// <param name="open">Opens the trace from its start.</param>
    /// <param name="modelShape">The model's shape; the trace must match it.</param>
    /// <param name="numDevices">Devices tokens originate on, ≥ 1.</param>
    /// <param name="holdoutFraction">Share of requests held out (the scored part), in [0, 1); 0 scores the whole trace.</param>
    /// <param name="windows">Windows, ≥ 2.</param>
    /// <param name="order">Time order of the steps.</param>
    public static TraceWindows Plan(Func<IRoutingTraceReader> open, TraceShape modelShape, int numDevices, double holdoutFraction, int windows, WindowOrder order = WindowOrder.File)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentOutOfRangeException.ThrowIfLessThan(numDevices, 1);
        CheckCount(windows);
        var step = new RoutingStep();
        var firstSeen = new Dictionary<int, int>();
        var stepsOfRequest = new List<long>();
        string path;
        using (var reader = open())
        {
            path = reader.Path;
            HeldOutSplit.CheckShape(reader.Shape, modelShape, path);
            while (reader.TryRead(step))
            {
                if (!firstSeen.TryGetValue(step.RequestId, out var index))
                {
                    firstSeen[step.RequestId] = index = firstSeen.Count;
                    stepsOfRequest.Add(0);
                }
                stepsOfRequest[index]++;
            }
        }
        if (firstSeen.Count == 0) throw new InputException(path, "trace", "has no routing steps");
        var fitRequests = HeldOutSplit.FitRequestCount(firstSeen.Count, holdoutFraction, path);
        var scoreAll = holdoutFraction == 0;
        long scored = 0;
        for (var i = scoreAll ? 0 : fitRequests; i < stepsOfRequest.Count; i++) scored += stepsOfRequest[i];
        if (windows > scored)
            throw new InputException(path, "--windows", $"{windows} windows need at least {windows} steps, but the scored part ({(scoreAll ? "the whole trace" : $"the last {firstSeen.Count - fitRequests} of {firstSeen.Count} requests")}) has {scored}");
        var bounds = new long[windows + 1];
        for (var w = 0; w <= windows; w++) bounds[w] = w * scored / windows;
        (Dictionary<int, int>, long[])? iterations = order == WindowOrder.Iteration ? IterationStarts(open, fitRequests, scoreAll) : null;
        return new TraceWindows(open, modelShape, numDevices, fitRequests, scoreAll, bounds, iterations);
    }

    /// <summary>In-memory variant of <see cref="Plan(Func{IRoutingTraceReader}, TraceShape, int, double, int, WindowOrder)"/> (tests, synthetic traces).</summary>
    public static TraceWindows Plan(IReadOnlyList<RoutingStep> steps, TraceShape modelShape, int numDevices, double holdoutFraction, int windows, WindowOrder order = WindowOrder.File) =>
        Plan(() => new InMemoryTraceReader(steps, modelShape), modelShape, numDevices, holdoutFraction, windows, order);

    /// <summary>
    /// One more pass: the distinct iteration values of the scored steps, each mapped to its position
    /// in sorted order, and per position the scored steps of smaller iterations (prefix sums of a histogram).
    /// </summary>
    private static (Dictionary<int, int> Position, long[] Start) IterationStarts(Func<IRoutingTraceReader> open, int fitRequests, bool scoreAll)
    {
        var step = new RoutingStep();
        var firstSeen = new Dictionary<int, int>();
        var counts = new Dictionary<int, long>();
        using (var reader = open())
        {
            while (reader.TryRead(step))
            {
                if (!firstSeen.TryGetValue(step.RequestId, out var index)) firstSeen[step.RequestId] = index = firstSeen.Count;
                if (!scoreAll && index < fitRequests) continue;
                counts[step.Iteration] = counts.GetValueOrDefault(step.Iteration) + 1;
            }
        }
        var iterations = counts.Keys.ToArray();
        Array.Sort(iterations);
        var position = new Dictionary<int, int>(iterations.Length);
        var starts = new long[iterations.Length];
        for (var i = 0; i < iterations.Length; i++)
        {
            position[iterations[i]] = i;
            if (i > 0) starts[i] = starts[i - 1] + counts[iterations[i - 1]];
        }
        return (position, starts);
    }

    /// <summary>Throws <see cref="InputException"/> unless <paramref name="windows"/> ≥ 2 (one window has nothing to re-place from).</summary>
    public static void CheckCount(int windows)
    {
        if (windows < 2)
            throw new InputException($"{windows}", "--windows", "must be at least 2: window w is placed from window w-1's routing");
    }

    /// <summary>
    /// Streams the trace again and yields each window's routing statistics in time order, lazily
    /// (one window built per step of the enumeration: in file order from one pass that continues
    /// where the last window ended, in iteration order from one pass per window).
    /// </summary>
    public IEnumerable<RoutingStatistics> Statistics()
    {
        if (_iterationStart is null) return FileOrder();
        return Enumerable.Range(0, Count).Select(IterationWindow);
    }

    /// <summary>Window <paramref name="window"/> in iteration order: one pass, keeping the steps whose rank falls in it.</summary>
    private RoutingStatistics IterationWindow(int window)
    {
        var step = new RoutingStep();
        var firstSeen = new Dictionary<int, int>();
        var seen = new long[_iterationStart!.Length];
        var position = _iterationPosition!;
        using var reader = _open();
        var builder = new RoutingStatisticsBuilder(_shape, _devices, reader.Path);
        while (reader.TryRead(step))
        {
            if (!firstSeen.TryGetValue(step.RequestId, out var index)) firstSeen[step.RequestId] = index = firstSeen.Count;
            if (!_scoreAll && index < _fitRequests) continue;
            if (!position.TryGetValue(step.Iteration, out var p)) throw Changed(reader.Path);
            var rank = _iterationStart[p] + seen[p]++;
            if (rank >= _bounds[window] && rank < _bounds[window + 1]) builder.Add(step);
        }
        var stats = builder.Build();
        if (stats.Steps != StepsIn(window)) throw Changed(reader.Path);
        return stats;
    }

    private static InputException Changed(string path) => new(path, "trace", "changed while it was read (its steps differ from the first pass)");

    private IEnumerable<RoutingStatistics> FileOrder()
    {
        var step = new RoutingStep();
        var firstSeen = new Dictionary<int, int>();
        using var reader = _open();
        var window = 0;
        long scored = 0;
        var builder = new RoutingStatisticsBuilder(_shape, _devices, reader.Path);
        while (reader.TryRead(step))
        {
            if (!firstSeen.TryGetValue(step.RequestId, out var index)) firstSeen[step.RequestId] = index = firstSeen.Count;
            if (!_scoreAll && index < _fitRequests) continue;
            builder.Add(step);
            scored++;
            if (scored < _bounds[window + 1]) continue;
            yield return builder.Build();
            if (++window == Count) yield break;
            builder = new RoutingStatisticsBuilder(_shape, _devices, reader.Path);
        }
        throw Changed(reader.Path);
    }
}
