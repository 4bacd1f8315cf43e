using MoESim.Results;

namespace MoESim.Metrics;

/// <summary>Splits a run into equal time windows for over-time plots and CSV.</summary>
public static class TimeSeries
{
    /// <summary>
    /// <paramref name="windows"/> equal windows over the makespan. A pass's work is spread over
    /// the windows it overlaps in proportion to the overlap, so utilisation is exact. KV-cache
    /// reservation is the time mean over each window of the reservation as it changes at pass
    /// boundaries (admissions when a pass starts, releases when it ends), so a window in which
    /// no pass ran still reports the KV cache held by the sequences in flight.
    /// </summary>
    public static IReadOnlyList<TimeSeriesPoint> Build(SimulationResult result, int windows, double peakFlopsPerSecond, double bandwidthBytesPerSecond)
    {
        if (windows < 1) throw new ArgumentOutOfRangeException(nameof(windows));
        var origin = result.Requests.Min(r => r.ArrivalPicoseconds);
        var span = Math.Max(result.MakespanSeconds, 1e-9);
        var width = span / windows;
        var busy = new double[windows];
        var flops = new double[windows];
        var bytes = new double[windows];
        var outTokens = new double[windows];
        var promptTokens = new double[windows];
        var kvByteSeconds = new double[windows];
        var ttftSum = new double[windows];
        var ttftN = new int[windows];
        var tpotSum = new double[windows];
        var tpotN = new int[windows];
        int Window(double t) => Math.Clamp((int)(t / width), 0, windows - 1);
        foreach (var it in result.Iterations)
        {
            var start = (it.StartPicoseconds - origin) / 1e12;
            var end = (it.EndPicoseconds - origin) / 1e12;
            var duration = Math.Max(end - start, 1e-15);
            for (var w = Window(start); w <= Window(end); w++)
            {
                var overlap = Math.Min(end, (w + 1) * width) - Math.Max(start, w * width);
                if (overlap <= 0) continue;
                var share = overlap / duration;
                busy[w] += overlap;
                flops[w] += it.Flops * share;
                bytes[w] += it.Bytes * share;
                promptTokens[w] += it.PrefillTokens * share;
            }
            outTokens[Window(end)] += it.OutputTokens;
        }
        // The reservation is a step function: 0 before the first pass, the during-pass value while
        // a pass runs, its after-pass value from its end until the next pass starts (the scheduler
        // admits and releases only at those instants).
        double heldSince = 0;
        long held = 0;
        foreach (var it in result.Iterations)
        {
            var start = (it.StartPicoseconds - origin) / 1e12;
            var end = (it.EndPicoseconds - origin) / 1e12;
            AddHeld(kvByteSeconds, heldSince, start, held, width);
            AddHeld(kvByteSeconds, start, end, it.KvReservedDuringPassBytes, width);
            heldSince = end;
            held = it.KvReservedBytes;
        }
        AddHeld(kvByteSeconds, heldSince, span, held, width);
        var kvCapacity = Math.Max(result.Memory.KvCacheBytes, 1);
        foreach (var r in result.Requests)
        {
            var wf = Window((r.FirstTokenPicoseconds - origin) / 1e12);
            ttftSum[wf] += r.TtftSeconds;
            ttftN[wf]++;
            if (double.IsFinite(r.TpotSeconds))
            {
                var wl = Window((r.FinishPicoseconds - origin) / 1e12);
                tpotSum[wl] += r.TpotSeconds;
                tpotN[wl]++;
            }
        }
        var points = new TimeSeriesPoint[windows];
        for (var w = 0; w < windows; w++)
        {
            points[w] = new TimeSeriesPoint
            {
                TimeSeconds = (w + 0.5) * width,
                OutputTokensPerSecond = outTokens[w] / width,
                PromptTokensPerSecond = promptTokens[w] / width,
                DeviceBusyFraction = Math.Min(1, busy[w] / width),
                ComputeUtilization = flops[w] / width / peakFlopsPerSecond,
                MemoryBandwidthUtilization = bytes[w] / width / bandwidthBytesPerSecond,
                MeanTtftSeconds = ttftN[w] > 0 ? ttftSum[w] / ttftN[w] : double.NaN,
                MeanTpotSeconds = tpotN[w] > 0 ? tpotSum[w] / tpotN[w] : double.NaN,
                KvCacheFraction = kvByteSeconds[w] / width / kvCapacity,
            };
        }
        return points;
    }

    // Adds bytes x seconds of overlap between [from, to) and each window it touches.
    private static void AddHeld(double[] byteSeconds, double from, double to, long bytes, double width)
    {
        if (bytes == 0 || to <= from) return;
        var last = byteSeconds.Length - 1;
        for (var w = Math.Clamp((int)(from / width), 0, last); w <= Math.Clamp((int)(to / width), 0, last); w++)
        {
            var overlap = Math.Min(to, (w + 1) * width) - Math.Max(from, w * width);
            if (overlap > 0) byteSeconds[w] += bytes * overlap;
        }
    }
}
