using System.Diagnostics;

namespace MoESim.Bench.Suite;

/// <summary>Times a queued piece of device work: warm-up runs, then repetitions until a time budget or count is met.</summary>
public static class CaseTimer
{
    /// <summary>
    /// Runs <paramref name="enqueue"/> then <paramref name="synchronize"/> <paramref name="warmup"/>
    /// times untimed, then at least <paramref name="minReps"/> and at most <paramref name="maxReps"/>
    /// timed times, stopping after <paramref name="targetSeconds"/> of timed work.
    /// </summary>
    public static TimingStatistics Measure(Action enqueue, Action synchronize, int warmup, int minReps, int maxReps, double targetSeconds) =>
        TimingStatistics.From(Collect(enqueue, synchronize, warmup, minReps, maxReps, targetSeconds));

    /// <summary>As <see cref="Measure"/>, returning every timed run's seconds.</summary>
    public static List<double> Collect(Action enqueue, Action synchronize, int warmup, int minReps, int maxReps, double targetSeconds)
    {
        for (var i = 0; i < warmup; i++)
        {
            enqueue();
            synchronize();
        }
        var times = new List<double>(maxReps);
        var total = 0.0;
        while (times.Count < minReps || (times.Count < maxReps && total < targetSeconds))
        {
            var start = Stopwatch.GetTimestamp();
            enqueue();
            synchronize();
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            times.Add(seconds);
            total += seconds;
        }
        return times;
    }

    /// <summary>Seconds one run of <paramref name="enqueue"/> takes, launch to synchronise.</summary>
    public static double Once(Action enqueue, Action synchronize)
    {
        var start = Stopwatch.GetTimestamp();
        enqueue();
        synchronize();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
