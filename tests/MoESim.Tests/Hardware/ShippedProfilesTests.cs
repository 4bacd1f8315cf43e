using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Tests.Config;

namespace MoESim.Tests.Hardware;

/// <summary>Every profile shipped under hardware-profiles/ (recursively: devices, measured devices, systems) loads in the current layout.</summary>
[TestFixture]
public sealed class ShippedProfilesTests
{
    private static string Relative(string path) => Path.GetRelativePath(RepoPaths.HardwareProfiles, path).Replace('\\', '/');

    private static IEnumerable<string> DeviceProfiles() =>
        Directory.GetFiles(RepoPaths.HardwareProfiles, "*.yaml", SearchOption.AllDirectories)
            .Select(Relative).Where(p => !p.StartsWith("systems/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    private static IEnumerable<string> SystemProfiles() =>
        Directory.GetFiles(Path.Combine(RepoPaths.HardwareProfiles, "systems"), "*.yaml", SearchOption.AllDirectories)
            .Select(Relative).Order(StringComparer.Ordinal);

    [Test]
    public void There_are_device_and_system_profiles() =>
        Assert.That((DeviceProfiles().Count(), SystemProfiles().Count()), Is.GreaterThanOrEqualTo((5, 4)));

    [TestCaseSource(nameof(DeviceProfiles))]
    public void Device_profile_loads(string relativePath)
    {
        var profile = DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, relativePath));
        Assert.That(profile.Name, Is.EqualTo(Path.GetFileNameWithoutExtension(relativePath)));
        Assert.That(profile.Units, Is.Not.Empty);
        Assert.That(profile.Units.Select(u => u.Name), Is.Unique);
        Assert.That(profile.Units.Select(u => u.MemoryTierName).Distinct(), Is.SubsetOf(profile.MemoryTiers.Select(t => t.Name)));
        Assert.That(profile.MemoryTiers.Select(t => t.Kind), Has.None.Null, "shipped profiles state every tier's kind");
        Assert.That(profile.HostLink.BandwidthBytesPerSecondPerDirection, Is.GreaterThan(0));
    }

    [TestCaseSource(nameof(SystemProfiles))]
    public void System_profile_loads(string relativePath)
    {
        var system = SystemProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, relativePath));
        Assert.That(system.Name, Is.EqualTo(Path.GetFileNameWithoutExtension(relativePath)));
        Assert.That(system.DeviceCount, Is.GreaterThanOrEqualTo(2));
        Assert.That(system.HostCpus.Select(c => c.Profile.Kind), Is.All.EqualTo(DeviceKind.Cpu));
    }
}
