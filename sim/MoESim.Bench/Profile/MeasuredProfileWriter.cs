using System.Globalization;
using System.Text;
using MoESim.Bench.Calibration;
using MoESim.Bench.Suite;
using MoESim.Hardware.Calibration;
using MoESim.IO;

namespace MoESim.Bench.Profile;

/// <summary>
/// Writes a measured device profile (loadable by DeviceProfileLoader, so
/// <c>moesim simulate --hardware measured/FILE</c> works) and its timings CSV beside it.
/// </summary>
public static class MeasuredProfileWriter
{
    /// <summary>File stem: device slug and date, e.g. "cpu-accelerator-2026-11-24".</summary>
    public static string Stem(SuiteResult result) => $"{result.DeviceSlug}-{result.Date}";

    /// <summary>Writes STEM.yaml and STEM.csv into <paramref name="folder"/>; returns the YAML path.</summary>
    public static string Write(string folder, SuiteResult result, ProbedPeaks peaks, CalibrationSection calibration)
    {
        var stem = Stem(result);
        var yamlPath = Path.Combine(folder, stem + ".yaml");
        MeasurementCsv.Write(Path.Combine(folder, stem + ".csv"), result.Measurements);
        AtomicFile.WriteAllText(yamlPath, Yaml(result, peaks, calibration));
        return yamlPath;
    }

    /// <summary>The profile text.</summary>
    public static string Yaml(SuiteResult r, ProbedPeaks peaks, CalibrationSection calibration)
    {
        var inv = CultureInfo.InvariantCulture;
        string N(double v) => v.ToString("G6", inv);
        var measured = $"# source: measured by moesim bench on {r.DeviceName} {r.Date}";
        var gemmCount = r.Measurements.Count(m => m.Family == BenchFamilies.Gemm);
        var streamCount = r.Measurements.Count(m => m.Family == BenchFamilies.Stream);
        var sb = new StringBuilder();
        sb.Append("# Measured profile written by `moesim bench` (suite size ").Append(r.Size.ToString().ToLowerInvariant()).Append(") on ")
          .Append(r.DeviceName).Append(", ").Append(r.Date).Append(".\n");
        sb.Append("# Peaks are the best rates the fp32 probe kernels reached; the calibration section holds the\n");
        sb.Append("# per-family time models fitted on them; raw timings are in ").Append(Stem(r)).Append(".csv beside this file.\n");
        sb.Append("name: ").Append(Stem(r)).Append('\n');
        sb.Append("kind: ").Append(r.IsGpu ? "gpu" : "cpu").Append('\n');
        // One compute unit: the probe GEMMs are plain fp32 kernels (no tensor cores), so they measure the vector units.
        sb.Append("units:\n");
        sb.Append("  - name: ").Append(r.IsGpu ? "cuda-cores" : "cores").Append('\n');
        sb.Append("    kind: ").Append(r.IsGpu ? "gpu-cuda-core" : "cpu-core").Append("  # source: the fp32 probe GEMMs use no tensor or matrix units\n");
        sb.Append("    fp32_tflops: ").Append(N(peaks.Fp32FlopsPerSecond / 1e12)).Append("  ").Append(measured).Append($" (best of {gemmCount} fp32 GEMMs)\n");
        sb.Append("memory:\n");
        sb.Append("  - name: device\n");
        sb.Append(r.IsGpu
            ? "    # kind: not measured (hbm or gddr: add it for this device)\n"
            : "    kind: ddr  # source: assumption, the CPU accelerator runs in host DRAM (edit to lpddr where the host has LPDDR)\n");
        sb.Append("    capacity_gib: ").Append(N(r.DeviceMemoryBytes / (1024.0 * 1024 * 1024))).Append("  ").Append(measured)
          .Append(r.IsGpu ? " (memory the accelerator reports)\n" : " (memory available to the process)\n");
        sb.Append("    bandwidth_gb_per_s: ").Append(N(peaks.MemoryBytesPerSecond / 1e9)).Append("  ").Append(measured).Append($" (best of {streamCount} read/write/copy streams)\n");
        sb.Append("host_link:\n");
        sb.Append("  name: host copy\n");
        sb.Append("  bandwidth_gb_per_s: ").Append(N(r.HostToDeviceBytesPerSecond / 1e9)).Append("  ").Append(measured).Append(" (16 MiB host-to-device copy)\n");
        sb.Append("  latency_us: 0  # source: not measured; assumption, folded into the copy rate\n");
        sb.Append("kernel_launch_overhead_us: ").Append(N(r.LaunchOverheadSeconds * 1e6)).Append("  ").Append(measured).Append(" (empty kernel timed before every case, launch to synchronise, 10th percentile)\n");
        sb.Append("power_watts: ").Append(r.IsGpu ? "700" : "65").Append("  # source: assumption, not measured (edit for this machine)\n");
        sb.Append("price_per_hour_usd: 0  # source: assumption, not measured (edit for this machine)\n");
        sb.Append("efficiency:\n");
        sb.Append("  compute: 1  # source: peaks above are achieved rates; efficiency lives in the calibration families\n");
        sb.Append("  memory: 1   # source: as above\n");
        sb.Append("calibration:\n");
        sb.Append("  source: ").Append(calibration.Source).Append('\n');
        sb.Append("  # time = kernels x launch + combine(FLOPs / (peak x compute_efficiency), bytes / (bandwidth x memory_efficiency))\n");
        sb.Append("  # + output elements x seconds_per_output_element; combine = sum or max; an absent efficiency is an absent term.\n");
        sb.Append("  # Launch is the measured constant above; the other terms are fitted (weighted non-negative least\n");
        sb.Append("  # squares) on the CSV rows with used_for_fit = true.\n");
        sb.Append("  operator_families:\n");
        foreach (var (kind, family) in calibration.OperatorFamilies.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append("    ").Append(kind).Append(": ").Append(family).Append('\n');
        sb.Append("  families:\n");
        foreach (var (family, model) in calibration.Families)
        {
            var fitted = r.Measurements.Count(m => m.Family == family && m.Fit);
            sb.Append("    ").Append(family).Append(": {combine: ").Append(model.Combine.ToString().ToLowerInvariant());
            if (model.ComputeEfficiency is { } ce) sb.Append(", compute_efficiency: ").Append(N(ce));
            if (model.MemoryEfficiency is { } me) sb.Append(", memory_efficiency: ").Append(N(me));
            if (model.SecondsPerOutputElement > 0) sb.Append(", seconds_per_output_element: ").Append(N(model.SecondsPerOutputElement));
            sb.Append("}  ").Append(measured).Append($" (fitted on {fitted} cases)\n");
        }
        return sb.ToString();
    }
}
