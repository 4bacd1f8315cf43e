using MoESim.Config;
using MoESim.Hardware.Topology;
using MoESim.Tests.Config;

namespace MoESim.Tests.Topology;

[TestFixture]
public sealed class SystemProfileLoaderTests
{
    private const double Tol = 1e-9; // relative
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    [Test]
    public void DgxH100_has_eight_gpus_on_one_nvswitch_and_a_nic_each()
    {
        var s = SystemProfiles.DgxH100;
        Assert.That(s.Name, Is.EqualTo("dgx-h100"));
        Assert.That(s.DeviceCount, Is.EqualTo(8));
        Assert.That(s.MachineCount, Is.EqualTo(1));
        Assert.That(s.Devices.All(d => d.Profile.Name == "h100-sxm"), Is.True);
        Assert.That(s.Nodes.Count(n => n.Kind == TopologyNodeKind.Nic), Is.EqualTo(8));
        Assert.That(s.Nodes.Count(n => n.Kind == TopologyNodeKind.Switch), Is.EqualTo(1));
        // 8 duplex NVLink attachments + 8 duplex PCIe paths to the NICs = 32 directed links, then
        // 8 duplex host links (GPU to its CPU socket), placed last.
        Assert.That(s.Links, Has.Count.EqualTo(48));
        Assert.That(s.Links.Take(32).Select(l => l.Name), Has.None.StartsWith("host_link"));
        Assert.That(s.Links.Skip(32).Select(l => l.Name), Is.All.StartsWith("host_link:"));
        Assert.That(s.HostCpus.Select(c => c.Name), Is.EqualTo(new[] { "cpu0", "cpu1" }));
        Assert.That(s.PowerWatts, Is.EqualTo(10200));
        Assert.That(s.PricePerHourUsd, Is.EqualTo(23.92).Within(Tol));
    }

    [Test]
    public void Intra_node_route_goes_through_nvswitch()
    {
        var s = SystemProfiles.DgxH100;
        var route = s.Route(0, 5).ToArray();
        Assert.That(route.Select(l => s.Links[l].Name), Is.EqualTo(new[] { "nvlink:gpu0>nvswitch", "nvlink:nvswitch>gpu5" }));
        // 0.4 us link + 0.2 us switch (charged on the link into it) + 0.4 us link = 1.0 us.
        Assert.That(s.RouteLatencySeconds(0, 5), Is.EqualTo(1.0e-6).Within(Tol));
        Assert.That(s.RouteBandwidthBytesPerSecond(0, 5), Is.EqualTo(450e9));
        Assert.That(s.Route(3, 3).Length, Is.Zero);
    }

    [Test]
    public void Inter_node_route_uses_own_nic_and_the_peers_nic()
    {
        var s = SystemProfiles.DgxH100TwoNodes;
        Assert.That(s.DeviceCount, Is.EqualTo(16));
        Assert.That(s.MachineCount, Is.EqualTo(2));
        Assert.That(s.Devices[9].Name, Is.EqualTo("n1.gpu1"));
        Assert.That(s.Route(2, 9).ToArray().Select(l => s.Links[l].Name), Is.EqualTo(new[]
        {
            "pcie:n0.gpu2>n0.nic2", "ib:n0.nic2>ib-switch", "ib:ib-switch>n1.nic1", "pcie:n1.nic1>n1.gpu1",
        }));
        // pcie 1.0 + ib 1.0 + switch 0.2 + ib 1.0 + pcie 1.0 = 4.2 us; bottleneck the 50 GB/s IB port.
        Assert.That(s.RouteLatencySeconds(2, 9), Is.EqualTo(4.2e-6).Within(Tol));
        Assert.That(s.RouteBandwidthBytesPerSecond(2, 9), Is.EqualTo(50e9));
        // Within node 1, still NVSwitch only.
        Assert.That(s.Route(8, 15).ToArray().Select(l => s.Links[l].Name), Is.EqualTo(new[] { "nvlink:n1.gpu0>n1.nvswitch", "nvlink:n1.nvswitch>n1.gpu7" }));
        Assert.That(s.PowerWatts, Is.EqualTo(2 * 10200 + 1700));
    }

    [Test]
    public void Four_node_cluster_extends_the_two_node_one()
    {
        var s = SystemProfiles.DgxH100FourNodes;
        Assert.That(s.Name, Is.EqualTo("dgx-h100-4node"));
        Assert.That(s.DeviceCount, Is.EqualTo(32));
        Assert.That(s.MachineCount, Is.EqualTo(4));
        Assert.That(s.Route(3, 30).Length, Is.EqualTo(4));
        Assert.That(s.Links[s.Route(3, 30)[^1]].Name, Is.EqualTo("pcie:n3.nic6>n3.gpu6"));
    }

    private string WriteNode(string linksYaml, string extra = "") => _temp.Write("node.yaml",
        $"""
        name: test-node
        accelerators:
          count: 2
          device: {Path.Combine(RepoPaths.HardwareProfiles, "h100-sxm.yaml")}
        nics:
          count: 2
        switches:
          - name: sw
            latency_us: 0
        links:
        {linksYaml}
        power_watts: 1
        price_per_hour_usd: 0
        {extra}
        """);

    [TestCase("  - name: l\n    from: gpu[*]\n    to: swx\n    bandwidth_gb_per_s: 1\n    latency_us: 0", 13, "links[0].to: 'swx' names no accelerator group (gpu, npu, pim), host CPU group (cpu), NIC group (nic) or switch", TestName = "UndefinedSwitch")]
    [TestCase("  - name: l\n    from: tpu[*]\n    to: sw\n    bandwidth_gb_per_s: 1\n    latency_us: 0", 12, "links[0].from: 'tpu[*]' names no", TestName = "UndefinedGroup")]
    [TestCase("  - name: l\n    from: gpu[5]\n    to: sw\n    bandwidth_gb_per_s: 1\n    latency_us: 0", 12, "links[0].from: 'gpu[5]' names no", TestName = "MemberOutOfRange")]
    [TestCase("  - name: l\n    from: gpu[*]\n    to: sw\n    bandwidth_gb_per_s: 0\n    latency_us: 0", 14, "links[0].bandwidth_gb_per_s: must be greater than zero", TestName = "ZeroBandwidth")]
    [TestCase("  - name: l\n    from: gpu[*]\n    to: sw\n    bandwidth_gb_per_s: 1\n    latency_us: 0\n    speed: 3", 16, "links[0].speed: unknown field", TestName = "UnknownLinkKey")]
    public void Bad_link_is_reported_with_file_line_and_field(string link, int line, string expected)
    {
        var path = WriteNode(link);
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:{line}:"));
        Assert.That(ex.Message, Does.Contain(expected));
    }

    [Test]
    public void Unknown_top_level_key_is_an_error()
    {
        var path = WriteNode("  - name: l\n    from: gpu[*]\n    to: sw\n    bandwidth_gb_per_s: 1\n    latency_us: 0", "colour: green");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:18:1: colour: unknown field"));
    }

    [Test]
    public void Disconnected_gpus_are_an_error()
    {
        // GPUs hang off their NICs only, with nothing beyond: no GPU reaches the other.
        var path = WriteNode("  - name: l\n    from: gpu[*]\n    to: nic[*]\n    bandwidth_gb_per_s: 1\n    latency_us: 0");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain("no route from gpu0 to gpu1"));
    }

    /// <summary>A 2-node cluster of <paramref name="nodeFile"/> whose one fabric link (lines 5-9) joins every NIC to an undeclared ib-switch.</summary>
    private string WriteCluster(string nodeFile) => _temp.Write("cluster.yaml", $"""
        name: c
        node: {nodeFile}
        nodes: 2
        links:
          - name: ib
            from: nic[*]
            to: ib-switch
            bandwidth_gb_per_s: 50
            latency_us: 1
        power_watts: 0
        price_per_hour_usd: 0
        """);

    [Test]
    public void Cluster_with_a_missing_node_file_is_an_error()
    {
        var path = WriteCluster("nowhere.yaml");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:2:7: node: node profile 'nowhere.yaml' not found"));
    }

    [Test]
    public void Cluster_link_to_an_undefined_switch_is_an_error()
    {
        WriteNode("  - name: l\n    from: gpu[*]\n    to: sw\n    bandwidth_gb_per_s: 1\n    latency_us: 0");
        var path = WriteCluster("node.yaml");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:7:"));
        Assert.That(ex.Message, Does.Contain("links[0].to: 'ib-switch' names no"));
    }

    [Test]
    public void A_gpu_is_never_a_transit_hop()
    {
        // gpu0 - gpu1 - gpu2 in a chain of GPU-to-GPU links: gpu0 cannot reach gpu2.
        var b = new SystemTopologyBuilder();
        var p = MoESim.Hardware.DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "h100-sxm.yaml"));
        for (int i = 0; i < 3; i++) b.AddGpu($"gpu{i}", 0, p);
        b.AddDuplexLink("nvlink", "gpu0", "gpu1", 1e9, 0);
        b.AddDuplexLink("nvlink", "gpu1", "gpu2", 1e9, 0);
        Assert.That(() => b.Build("chain", 0, 0), Throws.ArgumentException.With.Message.Contains("no route from gpu0 to gpu2"));
    }
}
