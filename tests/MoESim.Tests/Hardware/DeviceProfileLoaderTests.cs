using MoESim.Config;
using MoESim.Hardware;
using MoESim.Tests.Config;
using MoESim.Units;

namespace MoESim.Tests.Hardware;

[TestFixture]
public sealed class DeviceProfileLoaderTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static string ShippedText(string file) => File.ReadAllText(Path.Combine(RepoPaths.HardwareProfiles, file));

    /// <summary>1-based line of the first line of <paramref name="text"/> containing <paramref name="fragment"/>.</summary>
    private static int LineOf(string text, string fragment) =>
        Array.FindIndex(text.ReplaceLineEndings("\n").Split('\n'), l => l.Contains(fragment, StringComparison.Ordinal)) + 1;

    [TestCase("bandwidth_gb_per_s: 3350", "bandwidth_gb_per_s: 0", 25, "memory[0].bandwidth_gb_per_s: must be greater than zero, got 0", TestName = "ZeroMemoryBandwidth")]
    [TestCase("bandwidth_gb_per_s: 3350", "bandwidth_gb_per_s: -5", 25, "memory[0].bandwidth_gb_per_s: must be greater than zero, got -5", TestName = "NegativeMemoryBandwidth")]
    [TestCase("bandwidth_gb_per_s: 63 ", "bandwidth_gb_per_s: -63 ", 23, "host_link.bandwidth_gb_per_s: must be greater than zero, got -63", TestName = "NegativeHostLinkBandwidth")]
    [TestCase("capacity_gib: 79.6", "capacity_gib: 0", 19, "memory[0].capacity_gib: must be greater than zero, got 0", TestName = "ZeroCapacity")]
    [TestCase("bf16_tflops: 989", "bf16_tflops: lots", 18, "units[0].bf16_tflops: expected a number, got 'lots'", TestName = "WrongTypePeak")]
    [TestCase("  compute: 0.70", "  compute: 1.5", 12, "efficiency.compute: must be at most 1, got 1.5", TestName = "EfficiencyAboveOne")]
    [TestCase("kind: gpu\n", "kind: gpux\n", 7, "kind: unknown value 'gpux'", TestName = "UnknownKind")]
    [TestCase("    bf16_tflops", "    bf17_tflops", 5, "units[0].bf17_tflops: unknown field", TestName = "UnknownField_Nested")]
    [TestCase("kind: gpu-tensor-core", "kind: gpu-tensor-cores", 11, "units[0].kind: unknown unit kind 'gpu-tensor-cores' (expected one of gpu-tensor-core, gpu-cuda-core, npu-cube, npu-vector, cpu-amx, cpu-avx512, cpu-core, logic-pim, bank-pim)", TestName = "UnknownUnitKind")]
    [TestCase("    kind: hbm", "    kind: hbm4", 11, "memory[0].kind: unknown memory tier kind 'hbm4' (expected one of hbm, gddr, ddr, lpddr, cxl, ssd, pim-internal)", TestName = "UnknownMemoryTierKind")]
    [TestCase("    fp32_tflops: 67       # source: NVIDIA H100 datasheet (FP32 non-tensor)\n", "    fp32_tflops: 67\n    memory: hbm9\n", 13, "units[1].memory: 'hbm9' names no memory tier of this device (tiers: hbm3)", TestName = "UnitNamesMissingTier")]
    [TestCase("power_watts: 700", "power_wats: 700", 1, "power_wats: unknown field", TestName = "UnknownField_TopLevel")]
    public void BadH100Variant_NamesFileLineColumnAndField(string find, string replace, int column, string expected)
    {
        var text = ShippedText("h100-sxm.yaml");
        Assert.That(text, Does.Contain(find), "test setup: the text to replace must exist");
        var bad = text.Replace(find, replace, StringComparison.Ordinal);
        var path = _temp.Write("h100-bad.yaml", bad);
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        var last = replace.Trim().Split('\n')[^1].Trim();
        Assert.That(ex.Message, Does.Contain($"{path}:{LineOf(bad, last)}:{column}: {expected}"));
    }

    [Test]
    public void MissingRequiredField_IsReported()
    {
        var text = ShippedText("h100-sxm.yaml");
        var bad = string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Where(l => !l.StartsWith("power_watts", StringComparison.Ordinal)));
        var path = _temp.Write("h100-bad.yaml", bad);
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:3:1: power_watts: required field is missing"));
    }

    [Test]
    public void SeveralErrors_AreAllReported()
    {
        var bad = ShippedText("h100-sxm.yaml")
            .Replace("bandwidth_gb_per_s: 3350", "bandwidth_gb_per_s: 0", StringComparison.Ordinal)
            .Replace("kind: gpu", "kind: gpux", StringComparison.Ordinal)
            .Replace("power_watts: 700", "power_wats: 700", StringComparison.Ordinal);
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(_temp.Write("bad.yaml", bad)))!;
        Assert.That(ex.Errors.Select(e => e.Field), Is.SupersetOf(new[] { "memory[0].bandwidth_gb_per_s", "kind", "power_wats", "power_watts" }));
    }

    [Test]
    public void MissingFile_NamesTheFile()
    {
        var path = Path.Combine(_temp.Path, "nope.yaml");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Is.EqualTo($"{path}: file not found"));
    }

    [Test]
    public void Extends_MissingParent_NamesTheExtendsField()
    {
        var path = _temp.Write("child.yaml", "# a comment\nextends: h99.yaml\nname: child\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:2:10: extends: parent profile 'h99.yaml' not found"));
    }

    [Test]
    public void Extends_ErrorInParent_NamesTheParentFile()
    {
        var parent = _temp.Write("parent.yaml", ShippedText("h100-sxm.yaml").Replace("power_watts: 700", "power_watts: -1", StringComparison.Ordinal));
        var child = _temp.Write("child.yaml", "extends: parent.yaml\nname: child\n");
        var ex = Assert.Throws<InputException>(() => DeviceProfileLoader.Load(child))!;
        Assert.That(ex.Message, Does.Contain($"{YamlDocumentLoader.DisplayPath(parent)}:"));
        Assert.That(ex.Message, Does.Contain("power_watts: must be greater than zero"));
    }

    [Test]
    public void H200_ExtendsH100_WithOwnMemory()
    {
        var h100 = DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "h100-sxm.yaml"));
        var h200 = DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "h200.yaml"));
        Assert.That(h200.Name, Is.EqualTo("h200"));
        Assert.That(h200.PeakFlopsPerSecond, Is.EquivalentTo(h100.PeakFlopsPerSecond), "compute is inherited");
        Assert.That(h200.PeakFor(DataType.Bf16), Is.EqualTo(989e12).Within(1e-9).Percent);
        Assert.That(h200.PeakFor(DataType.Fp8), Is.EqualTo(1979e12).Within(1e-9).Percent);
        Assert.That(h200.MemoryTiers, Has.Count.EqualTo(1), "the child's memory list replaces the parent's");
        Assert.That(h200.MainMemory.Name, Is.EqualTo("hbm3e"));
        Assert.That(h200.MainMemory.BandwidthBytesPerSecond, Is.EqualTo(4.8e12).Within(1e-9).Percent);
        Assert.That(h200.MainMemory.CapacityBytes, Is.EqualTo(140.4 * UnitConversions.BytesPerGiB).Within(1e-9).Percent);
        Assert.That(h200.HostLink, Is.EqualTo(h100.HostLink));
        Assert.That(h200.DefaultEfficiency, Is.EqualTo(h100.DefaultEfficiency));
        Assert.That(h200.PricePerHourUsd, Is.EqualTo(3.79).Within(1e-9).Percent);
        Assert.That(h100.MainMemory.BandwidthBytesPerSecond, Is.EqualTo(3.35e12).Within(1e-9).Percent);
    }

    private static IEnumerable<string> ShippedProfiles() =>
        Directory.GetFiles(RepoPaths.HardwareProfiles, "*.yaml").Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f));

    [TestCaseSource(nameof(ShippedProfiles))]
    public void ShippedProfile_LoadsWithoutError(string fileName)
    {
        var profile = DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, fileName));
        Assert.That(profile.Name, Is.EqualTo(Path.GetFileNameWithoutExtension(fileName)));
        Assert.That(profile.MainMemory.BandwidthBytesPerSecond, Is.GreaterThan(0));
    }
}
