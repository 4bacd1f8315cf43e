using MoESim.Config;
using MoESim.Hardware;
using MoESim.Tests.Config;
using MoESim.Units;

namespace MoESim.Tests.Hardware;

/// <summary>The device layout with compute units and typed memory tiers, and the error for the old <c>compute:</c> map.</summary>
[TestFixture]
public sealed class ComputeUnitLayoutTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static string ShippedPath(string file) => Path.Combine(RepoPaths.HardwareProfiles, file);

    private static string ShippedText(string file) => File.ReadAllText(ShippedPath(file)).ReplaceLineEndings("\n");

    private static int LineOf(string text, string fragment) =>
        Array.FindIndex(text.Split('\n'), l => l.Contains(fragment, StringComparison.Ordinal)) + 1;

    /// <summary>A minimal profile around a <c>units:</c> block (lines 4 on) and one hbm tier named "hbm".</summary>
    private string WriteProfile(string units, string kind = "gpu", string hostLink = "host_link: {name: pcie, bandwidth_gb_per_s: 64, latency_us: 1}\n") =>
        _temp.Write("device.yaml",
            $"name: device\nkind: {kind}\nmemory: [{{name: hbm, kind: hbm, capacity_gib: 80, bandwidth_gb_per_s: 3000}}]\n{units}"
            + hostLink
            + "kernel_launch_overhead_us: 4\npower_watts: 700\nprice_per_hour_usd: 1\nefficiency: {compute: 0.7, memory: 0.8}\n");

    [Test]
    public void H100_primary_unit_keeps_the_old_peaks()
    {
        var h100 = DeviceProfileLoader.Load(ShippedPath("h100-sxm.yaml"));
        // The values of the compute: map before units: existed.
        var old = new Dictionary<DataType, double>
        {
            [DataType.Bf16] = 989e12, [DataType.Fp16] = 989e12, [DataType.Fp8] = 1979e12, [DataType.Int8] = 1979e12, [DataType.Fp32] = 67e12,
        };
        Assert.That(h100.PeakFlopsPerSecond.Keys, Is.EquivalentTo(old.Keys));
        foreach (var (type, peak) in old)
        {
            Assert.That(h100.PeakFlopsPerSecond[type], Is.EqualTo(peak).Within(1e-9).Percent, type.ToString());
            Assert.That(h100.PeakFor(type), Is.EqualTo(peak).Within(1e-9).Percent, type.ToString());
        }
        Assert.That(h100.PeakFor(DataType.Int4), Is.EqualTo(1979e12).Within(1e-9).Percent, "int4 falls back to int8");

        Assert.That(h100.Units.Select(u => u.Name), Is.EqualTo(new[] { "tensor-cores", "cuda-cores" }));
        Assert.That(h100.PrimaryUnit, Is.SameAs(h100.Units[0]));
        Assert.That(h100.Units[0].Kind, Is.EqualTo(ComputeUnitKind.GpuTensorCore));
        Assert.That(h100.Units[0].Count, Is.EqualTo(132));
        Assert.That(h100.Units[0].MemoryTierName, Is.EqualTo("hbm3"), "no memory: key means the first tier");
        Assert.That(h100.Units[1].Kind, Is.EqualTo(ComputeUnitKind.GpuCudaCore));
        Assert.That(h100.Units[1].PeakFlopsPerSecond.Keys, Is.EqualTo(new[] { DataType.Fp32 }));
        Assert.That(h100.MemoryTierOf(h100.Units[1]), Is.SameAs(h100.MainMemory));
        Assert.That(h100.MainMemory.Kind, Is.EqualTo(MemoryTierKind.Hbm));
        Assert.That(h100.MainMemory.EnergyJoulesPerByte, Is.EqualTo(31e-12).Within(1e-9).Percent);
        Assert.That(h100.HostLink.BandwidthBytesPerSecondPerDirection, Is.EqualTo(63e9).Within(1e-9).Percent);
    }

    [Test]
    public void H200_inherits_the_units_which_read_its_own_first_tier()
    {
        var h200 = DeviceProfileLoader.Load(ShippedPath("h200.yaml"));
        Assert.That(h200.Units.Select(u => u.Name), Is.EqualTo(new[] { "tensor-cores", "cuda-cores" }));
        Assert.That(h200.Units.Select(u => u.MemoryTierName), Is.All.EqualTo("hbm3e"));
        Assert.That(h200.MemoryTierOf(h200.PrimaryUnit).BandwidthBytesPerSecond, Is.EqualTo(4.8e12).Within(1e-9).Percent);
    }

    [TestCase("rtx-4090.yaml", MemoryTierKind.Gddr, 128, 165.2e12)]
    [TestCase("a100-80gb.yaml", MemoryTierKind.Hbm, 108, 312e12)]
    public void Shipped_gpu_has_tensor_cores_first(string file, MemoryTierKind tierKind, int sms, double bf16)
    {
        var device = DeviceProfileLoader.Load(ShippedPath(file));
        Assert.That(device.PrimaryUnit.Kind, Is.EqualTo(ComputeUnitKind.GpuTensorCore));
        Assert.That(device.PrimaryUnit.Count, Is.EqualTo(sms));
        Assert.That(device.PeakFor(DataType.Bf16), Is.EqualTo(bf16).Within(1e-9).Percent);
        Assert.That(device.MainMemory.Kind, Is.EqualTo(tierKind));
    }

    [Test]
    public void Xeon_host_cpu_has_amx_first_ddr5_and_its_memory_as_host_link()
    {
        var cpu = DeviceProfileLoader.Load(ShippedPath("intel-xeon-8480c.yaml"));
        Assert.That(cpu.Kind, Is.EqualTo(DeviceKind.Cpu));
        Assert.That(cpu.HostLink.Name, Is.EqualTo("local memory (ddr5)"), "a CPU is the host: its host link is its own memory");
        Assert.That(cpu.HostLink.BandwidthBytesPerSecondPerDirection, Is.EqualTo(cpu.MainMemory.BandwidthBytesPerSecond));
        Assert.That(cpu.HostLink.LatencySeconds, Is.Zero);
        Assert.That(cpu.Units.Select(u => u.Kind), Is.EqualTo(new[] { ComputeUnitKind.CpuAmx, ComputeUnitKind.CpuAvx512 }));
        Assert.That(cpu.Units.Select(u => u.Count), Is.All.EqualTo(56));
        // 56 cores x 2.0 GHz x 1024 bf16 FLOP per cycle (AMX), 2048 int8 ops; AVX-512 64 fp32 FLOP per cycle.
        Assert.That(cpu.PeakFor(DataType.Bf16), Is.EqualTo(56 * 2.0e9 * 1024).Within(0.1).Percent);
        Assert.That(cpu.PeakFor(DataType.Int8), Is.EqualTo(56 * 2.0e9 * 2048).Within(0.1).Percent);
        Assert.That(cpu.Units[1].PeakFlopsPerSecond[DataType.Fp32], Is.EqualTo(56 * 2.0e9 * 64).Within(0.1).Percent);
        Assert.That(cpu.MainMemory.Kind, Is.EqualTo(MemoryTierKind.Ddr));
        Assert.That(cpu.MainMemory.BandwidthBytesPerSecond, Is.EqualTo(8 * 4800e6 * 8).Within(1e-9).Percent);
        Assert.That(cpu.MainMemory.CapacityBytes, Is.EqualTo(1024 * UnitConversions.BytesPerGiB));
    }

    [Test]
    public void Every_number_of_the_xeon_profile_cites_a_source()
    {
        var numbered = ShippedText("intel-xeon-8480c.yaml").Split('\n')
            .Where(l => !l.TrimStart().StartsWith('#') && System.Text.RegularExpressions.Regex.IsMatch(l.Split('#')[0], @":\s*[0-9.]+\s*$"));
        Assert.That(numbered, Is.Not.Empty);
        Assert.That(numbered.Where(l => !l.Contains("# source:", StringComparison.Ordinal)), Is.Empty);
    }

    [TestCase("gpu-tensor-core", ComputeUnitKind.GpuTensorCore)]
    [TestCase("gpu-cuda-core", ComputeUnitKind.GpuCudaCore)]
    [TestCase("npu-cube", ComputeUnitKind.NpuCube)]
    [TestCase("npu-vector", ComputeUnitKind.NpuVector)]
    [TestCase("cpu-amx", ComputeUnitKind.CpuAmx)]
    [TestCase("cpu-avx512", ComputeUnitKind.CpuAvx512)]
    [TestCase("cpu-core", ComputeUnitKind.CpuCore)]
    [TestCase("logic-pim", ComputeUnitKind.LogicPim)]
    [TestCase("bank-pim", ComputeUnitKind.BankPim)]
    public void Every_unit_kind_is_spelled_in_kebab_case(string spelled, ComputeUnitKind kind)
    {
        var device = DeviceProfileLoader.Load(WriteProfile($"units:\n  - {{name: u, kind: {spelled}, bf16_tflops: 1}}\n"));
        Assert.That(device.PrimaryUnit.Kind, Is.EqualTo(kind));
    }

    [TestCase("hbm", MemoryTierKind.Hbm)]
    [TestCase("gddr", MemoryTierKind.Gddr)]
    [TestCase("ddr", MemoryTierKind.Ddr)]
    [TestCase("lpddr", MemoryTierKind.Lpddr)]
    [TestCase("cxl", MemoryTierKind.Cxl)]
    [TestCase("ssd", MemoryTierKind.Ssd)]
    [TestCase("pim-internal", MemoryTierKind.PimInternal)]
    public void Every_memory_tier_kind_is_spelled_in_kebab_case(string spelled, MemoryTierKind kind)
    {
        var text = ShippedText("h100-sxm.yaml").Replace("    kind: hbm\n", $"    kind: {spelled}\n", StringComparison.Ordinal);
        Assert.That(DeviceProfileLoader.Load(_temp.Write("d.yaml", text)).MainMemory.Kind, Is.EqualTo(kind));
    }

    [Test]
    public void A_pim_unit_reads_the_tier_it_names()
    {
        var path = _temp.Write("pim.yaml", """
            name: pim
            kind: pim
            units:
              - {name: xpu, kind: gpu-tensor-core, bf16_tflops: 900}
              - {name: logic, kind: logic-pim, count: 32, bf16_tflops: 40, memory: stack-internal}
            memory:
              - {name: hbm, kind: hbm, capacity_gib: 80, bandwidth_gb_per_s: 3000}
              - {name: stack-internal, kind: pim-internal, capacity_gib: 80, bandwidth_gb_per_s: 12000}
            host_link: {name: pcie, bandwidth_gb_per_s: 64, latency_us: 1}
            kernel_launch_overhead_us: 4
            power_watts: 700
            price_per_hour_usd: 1
            efficiency: {compute: 0.7, memory: 0.8}
            """);
        var device = DeviceProfileLoader.Load(path);
        Assert.That(device.Units[1].Count, Is.EqualTo(32));
        Assert.That(device.MemoryTierOf(device.Units[1]).Kind, Is.EqualTo(MemoryTierKind.PimInternal));
        Assert.That(device.MemoryTierOf(device.Units[0]).Name, Is.EqualTo("hbm"));
        Assert.That(device.PeakFor(DataType.Bf16), Is.EqualTo(900e12), "the primary unit is the first");
    }

    [Test]
    public void Old_compute_map_says_what_to_change()
    {
        // The h100-sxm.yaml layout before compute units.
        var old = """
            # an H100 in the old layout
            name: h100-old
            kind: gpu
            compute:
              bf16_tflops: 989
              fp8_tflops: 1979
            memory:
              - {name: hbm3, capacity_gib: 79.6, bandwidth_gb_per_s: 3350}
            host_link: {name: pcie, bandwidth_gb_per_s: 63, latency_us: 2}
            kernel_launch_overhead_us: 4
            power_watts: 700
            price_per_hour_usd: 2.99
            efficiency: {compute: 0.7, memory: 0.85}
            """;
        var path = _temp.Write("old.yaml", old);
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Errors, Has.Count.EqualTo(1), "one error, not also 'units: missing' or 'compute: unknown field'");
        Assert.That(ex.Message, Does.StartWith($"{path}:4:1: compute: the old layout:"));
        Assert.That(ex.Message, Does.Contain("units: [{name: tensor-cores, kind: gpu-tensor-core, bf16_tflops: 989, fp8_tflops: 1979}]"));
        Assert.That(ex.Message, Does.Contain("hardware-profiles/README.md"));
    }

    [Test]
    public void Old_compute_map_in_a_parent_is_reported_in_the_parent()
    {
        var parent = _temp.Write("parent.yaml", "name: p\nkind: cpu\ncompute:\n  fp32_tflops: 1\nmemory: [{name: dram, capacity_gib: 1, bandwidth_gb_per_s: 1}]\n"
            + "kernel_launch_overhead_us: 1\npower_watts: 1\nprice_per_hour_usd: 0\nefficiency: {compute: 1, memory: 1}\n");
        var child = _temp.Write("child.yaml", "extends: parent.yaml\nname: c\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(child))!;
        Assert.That(ex.Message, Does.Contain($"{YamlDocumentLoader.DisplayPath(parent)}:3:1: compute: the old layout"));
        Assert.That(ex.Message, Does.Contain("kind: cpu-core, fp32_tflops: 1"));
    }

    [Test]
    public void Duplicate_unit_names_are_an_error()
    {
        var path = WriteProfile("units:\n  - {name: u, kind: gpu-tensor-core, bf16_tflops: 1}\n  - {name: u, kind: gpu-cuda-core, fp32_tflops: 1}\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:6:12: units[1].name: unit 'u' is defined twice"));
    }

    [Test]
    public void Duplicate_memory_tier_names_are_an_error()
    {
        var text = ShippedText("h200.yaml").Replace("memory:\n", "memory:\n  - {name: hbm3e, capacity_gib: 1, bandwidth_gb_per_s: 1}\n", StringComparison.Ordinal)
            .Replace("extends: h100-sxm.yaml", $"extends: {ShippedPath("h100-sxm.yaml")}", StringComparison.Ordinal);
        var path = _temp.Write("h200-dup.yaml", text);
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain("memory[1].name: memory tier 'hbm3e' is defined twice"));
    }

    [Test]
    public void A_unit_without_peaks_is_an_error()
    {
        var path = WriteProfile("units:\n  - name: u\n    kind: gpu-tensor-core\n    count: 4\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:5:5: units[0]: needs at least one peak such as bf16_tflops or int8_tops"));
    }

    [Test]
    public void No_units_is_an_error()
    {
        var empty = WriteProfile("units: []\n");
        Assert.That(Assert.Throws<InputException>(() => DeviceProfileLoader.Load(empty))!.Message, Does.Contain($"{empty}:4:8: units: needs at least one compute unit"));
        var missing = WriteProfile("");
        Assert.That(Assert.Throws<InputException>(() => DeviceProfileLoader.Load(missing))!.Message, Does.Contain("units: required field is missing"));
    }

    [Test]
    public void Unit_errors_are_reported_together()
    {
        var path = WriteProfile("units:\n  - {name: u, kind: gpu-tensor-cores, bf16_tflops: 1, memory: hbm9, colour: red}\n  - {name: u, kind: cpu-amx}\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "units[0].kind", "units[0].memory", "units[0].colour", "units[1]", "units[1].name" }));
        Assert.That(ex.Errors.Select(e => e.Line), Is.All.InRange(5, 6));
    }

    [Test]
    public void Host_link_is_required_of_an_accelerator_and_optional_for_a_cpu()
    {
        var gpu = WriteProfile("units: [{name: u, kind: gpu-tensor-core, bf16_tflops: 1}]\n", hostLink: "");
        Assert.That(Assert.Throws<InputException>(() => DeviceProfileLoader.Load(gpu))!.Message, Does.Contain("host_link: required field is missing"));
        var cpu = WriteProfile("units: [{name: u, kind: cpu-amx, bf16_tflops: 1}]\n", kind: "cpu", hostLink: "");
        Assert.That(DeviceProfileLoader.Load(cpu).HostLink.BandwidthBytesPerSecondPerDirection, Is.EqualTo(3000e9), "its own memory tier");
        var given = WriteProfile("units: [{name: u, kind: cpu-amx, bf16_tflops: 1}]\n", kind: "cpu");
        Assert.That(DeviceProfileLoader.Load(given).HostLink.BandwidthBytesPerSecondPerDirection, Is.EqualTo(64e9), "a cpu profile may give one (a measured copy rate)");
    }

    [Test]
    public void Code_built_profile_with_peaks_only_has_one_primary_unit()
    {
        var device = new DeviceProfile
        {
            Name = "code", Kind = DeviceKind.Gpu,
            PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 5e12 },
            MemoryTiers = new[] { new MemoryTier { Name = "hbm", CapacityBytes = 1e9, BandwidthBytesPerSecond = 1e12 } },
            HostLink = new HostLink { Name = "pcie", BandwidthBytesPerSecondPerDirection = 1e10, LatencySeconds = 0 },
            KernelLaunchOverheadSeconds = 0, PowerWatts = 1, PricePerHourUsd = 0,
            DefaultEfficiency = new Efficiency { Compute = 1, Memory = 1 },
            OperatorEfficiency = new Dictionary<string, Efficiency>(),
        };
        Assert.That(device.Units, Has.Count.EqualTo(1));
        Assert.That(device.PrimaryUnit.Kind, Is.EqualTo(ComputeUnitKind.GpuTensorCore));
        Assert.That(device.PrimaryUnit.MemoryTierName, Is.EqualTo("hbm"));
        Assert.That(device.PeakFor(DataType.Bf16), Is.EqualTo(5e12));
        var faster = device with { PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 6e12 } };
        Assert.That(faster.PeakFor(DataType.Bf16), Is.EqualTo(6e12));
        Assert.That(device.PeakFor(DataType.Bf16), Is.EqualTo(5e12), "records are immutable");
    }

    [Test]
    public void Setting_peaks_on_a_loaded_profile_replaces_the_primary_units_peaks_only()
    {
        var h100 = DeviceProfileLoader.Load(ShippedPath("h100-sxm.yaml"));
        var tuned = h100 with { PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 1e15 } };
        Assert.That(tuned.PeakFor(DataType.Bf16), Is.EqualTo(1e15));
        Assert.That(tuned.Units, Has.Count.EqualTo(2));
        Assert.That(tuned.Units[0].Name, Is.EqualTo("tensor-cores"));
        Assert.That(tuned.Units[1], Is.SameAs(h100.Units[1]));
        Assert.That(h100.PeakFor(DataType.Bf16), Is.EqualTo(989e12).Within(1e-9).Percent);
    }
}
