using System.Diagnostics;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Cases;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Suite;

/// <summary>
/// Runs a planned suite on one accelerator: probes launch overhead and host-copy rate, checks
/// each case against its C# reference, times it, and skips (and lists) cases that would exceed
/// the per-run time cap or the memory budget.
/// </summary>
public static class BenchSuite
{
    /// <summary>Runs <paramref name="plan"/>; progress goes from 0 to 1.</summary>
    public static SuiteResult Run(KernelSet kernels, IReadOnlyList<CaseSpec> plan, SuiteSettings settings, string date, IProgress<double>? progress = null)
    {
        var bench = kernels.Bench;
        var launch = ProbeLaunch(kernels);
        var hostCopy = ProbeHostCopy(kernels);
        var (flopsEstimate, bytesEstimate) = ProbeRates(kernels);
        var hostMemory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var memory = bench.IsCuda ? bench.Accelerator.MemorySize : hostMemory;

        double Estimate(CaseSpec s) => Math.Max(s.Flops / flopsEstimate, s.Bytes / bytesEstimate) + s.Kernels * launch;
        var passes = Math.Max(1, settings.Passes);
        var weights = plan.Select(s => Math.Min(Estimate(s), settings.MaxSecondsPerRun) + 1e-3).ToArray();
        var totalWeight = weights.Sum() * passes;
        var done = 0.0;

        // An empty kernel is timed before every case of every pass, so the launch overhead is
        // sampled under the same load as the cases; its 10th percentile is the profile's constant.
        using var dummy = kernels.Accelerator.Allocate1D<float>(1);
        var launchSamples = new List<double>();

        // Pass 1 checks each case against its reference and times one run: cases over the cap
        // (by that measured run, not only the estimate) are skipped for good.
        var times = new List<double>?[plan.Count];
        var errors = new double[plan.Count];
        var skipped = new List<SkippedCase>();
        for (var pass = 0; pass < passes; pass++)
        {
            for (var i = 0; i < plan.Count; i++)
            {
                var spec = plan[i];
                var seed = 1000UL + (ulong)i;
                launchSamples.Add(CaseTimer.Once(() => kernels.Empty.Run(dummy.View), kernels.Bench.Synchronize));
                if (pass == 0)
                {
                    var estimate = Estimate(spec);
                    if (estimate > 3 * settings.MaxSecondsPerRun)
                        skipped.Add(new SkippedCase(spec.Family, spec.Variant, spec.Shape, Invariant($"estimated {estimate:0.###} s per run exceeds the {settings.MaxSecondsPerRun} s cap")));
                    else if (MemoryProblem(spec, bench.IsCuda, memory, hostMemory, settings.MaxMemoryFraction) is { } tooBig)
                        skipped.Add(new SkippedCase(spec.Family, spec.Variant, spec.Shape, tooBig));
                    else
                        times[i] = FirstPass(kernels, spec, settings, seed, skipped, out errors[i]);
                }
                else if (times[i] is { } list)
                {
                    using var benchCase = spec.Create(kernels, seed);
                    list.AddRange(CaseTimer.Collect(benchCase.Enqueue, kernels.Bench.Synchronize, settings.WarmupRuns, settings.MinRepetitions, settings.MaxRepetitions, settings.TargetSecondsPerCase));
                }
                done += weights[i];
                progress?.Report(done / totalWeight);
            }
        }
        var measurements = new List<Measurement>();
        for (var i = 0; i < plan.Count; i++)
        {
            if (times[i] is not { } list) continue;
            var spec = plan[i];
            measurements.Add(new Measurement
            {
                Family = spec.Family, Variant = spec.Variant, Shape = spec.Shape, Components = spec.Components,
                Timing = TimingStatistics.From(list), Fit = spec.Fit, MaxRelativeError = errors[i],
            });
        }
        return new SuiteResult
        {
            DeviceName = bench.DeviceName,
            DeviceSlug = bench.Slug,
            IsGpu = bench.IsCuda,
            Date = date,
            Size = settings.Size,
            LaunchOverheadSeconds = launchSamples.Count > 0 ? TimingStatistics.From(launchSamples).P10Seconds : launch,
            HostToDeviceBytesPerSecond = hostCopy,
            DeviceMemoryBytes = memory,
            Measurements = measurements,
            Skipped = skipped,
        };
    }

    /// <summary>
    /// Why <paramref name="spec"/> does not fit in memory, or null when it does. Every case keeps
    /// host copies of its inputs for the reference check, so on the CPU accelerator (device memory
    /// is host memory) a case needs about twice its device bytes; on a GPU the device bytes must
    /// fit the device and the host copies the host.
    /// </summary>
    public static string? MemoryProblem(CaseSpec spec, bool isGpu, double deviceMemoryBytes, double hostMemoryBytes, double fraction)
    {
        var hostBytes = isGpu ? spec.AllocatedBytes : 2 * spec.AllocatedBytes;
        if (isGpu && spec.AllocatedBytes > fraction * deviceMemoryBytes)
            return Invariant($"needs {spec.AllocatedBytes / 1e9:0.##} GB of device memory, over {fraction:P0} of the device's {deviceMemoryBytes / 1e9:0.#} GB");
        if (hostBytes > fraction * hostMemoryBytes)
            return Invariant($"needs {hostBytes / 1e9:0.##} GB of host memory (device buffers and host reference copies), over {fraction:P0} of the {hostMemoryBytes / 1e9:0.#} GB available");
        return null;
    }

    /// <summary>Checks the case, times one run against the cap, then its first share of repetitions; null when skipped.</summary>
    private static List<double>? FirstPass(KernelSet kernels, CaseSpec spec, SuiteSettings settings, ulong seed, List<SkippedCase> skipped, out double error)
    {
        BenchCase benchCase;
        try
        {
            benchCase = spec.Create(kernels, seed);
        }
        catch (Exception e) when (e is ArgumentException or OutOfMemoryException or ILGPU.Runtime.AcceleratorException)
        {
            // A case that cannot be built (a shape the device cannot hold) is listed, not fatal:
            // it must not throw away the hour of measurements before it.
            error = double.NaN;
            skipped.Add(new SkippedCase(spec.Family, spec.Variant, spec.Shape, $"FAILED to build: {e.GetType().Name}: {e.Message}"));
            return null;
        }
        using var owned = benchCase;
        error = benchCase.MaxRelativeError();
        if (!(error <= settings.RelativeTolerance))
        {
            skipped.Add(new SkippedCase(spec.Family, spec.Variant, spec.Shape, Invariant($"WRONG RESULT: relative error {error:G3} over tolerance {settings.RelativeTolerance:G3}")));
            return null;
        }
        // The faster of two runs: a burst of load during one run should not drop the case.
        var once = Math.Min(CaseTimer.Once(benchCase.Enqueue, kernels.Bench.Synchronize), CaseTimer.Once(benchCase.Enqueue, kernels.Bench.Synchronize));
        if (once > settings.MaxSecondsPerRun)
        {
            skipped.Add(new SkippedCase(spec.Family, spec.Variant, spec.Shape, Invariant($"one run took {once:0.###} s, over the {settings.MaxSecondsPerRun} s cap")));
            return null;
        }
        return CaseTimer.Collect(benchCase.Enqueue, kernels.Bench.Synchronize, 0, settings.MinRepetitions, settings.MaxRepetitions, settings.TargetSecondsPerCase);
    }

    /// <summary>Median launch-plus-synchronise time of an empty kernel, seconds.</summary>
    public static double ProbeLaunch(KernelSet kernels)
    {
        using var dummy = kernels.Accelerator.Allocate1D<float>(1);
        return CaseTimer.Measure(() => kernels.Empty.Run(dummy.View), kernels.Bench.Synchronize, 5, 30, 200, 0.1).MedianSeconds;
    }

    private static double ProbeHostCopy(KernelSet kernels)
    {
        var host = new float[1 << 22];
        using var device = kernels.Accelerator.Allocate1D<float>(host.Length);
        var t = CaseTimer.Measure(() => device.CopyFromCPU(host), kernels.Bench.Synchronize, 1, 3, 10, 0.1);
        return host.Length * 4.0 / t.MedianSeconds;
    }

    /// <summary>Rough FLOP/s and bytes/s used only to decide which cases fit the time cap.</summary>
    private static (double Flops, double Bytes) ProbeRates(KernelSet kernels)
    {
        const int n = 256;
        using var gemm = new GemmCase(kernels, 1, 64, n, n, kernels.Bench.IsCuda);
        var g = CaseTimer.Measure(gemm.Enqueue, kernels.Bench.Synchronize, 1, 2, 5, 0.05).MedianSeconds;
        using var copy = new StreamCase(kernels, 2, StreamOp.Copy, 1 << 20);
        var c = CaseTimer.Measure(copy.Enqueue, kernels.Bench.Synchronize, 1, 2, 5, 0.05).MedianSeconds;
        return (2.0 * 64 * n * n / g, 8.0 * (1 << 20) / c);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
