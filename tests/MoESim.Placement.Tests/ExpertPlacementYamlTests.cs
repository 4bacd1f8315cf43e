using MoESim.Config;
using MoESim.Parallelism;

namespace MoESim.Placement.Tests;

[TestFixture]
public class ExpertPlacementYamlTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "moesim-place-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void RoundTrip_KeepsDevicesAndWeights()
    {
        var layers = new[]
        {
            new IReadOnlyList<ExpertReplica>[] { new[] { new ExpertReplica(0, 0.3), new ExpertReplica(2, 0.7) }, new[] { new ExpertReplica(1, 1) }, new[] { new ExpertReplica(2, 1) } },
            new IReadOnlyList<ExpertReplica>[] { new[] { new ExpertReplica(1, 1) }, new[] { new ExpertReplica(0, 0.5), new ExpertReplica(1, 0.5) }, new[] { new ExpertReplica(2, 1) } },
        };
        var original = new ExpertPlacement(3, layers, "greedy");
        var path = Path.Combine(_dir, "p.yaml");
        ExpertPlacementYamlWriter.Save(path, original);
        var back = ExpertPlacementYamlReader.Load(path, new ExpertPlacementLimits { NumDevices = 3, NumMoeLayers = 2, NumExperts = 3 });
        Assert.That(back.Strategy, Is.EqualTo("greedy"));
        for (var l = 0; l < 2; l++)
            for (var e = 0; e < 3; e++)
                Assert.That(back.Replicas(l, e).ToArray(), Is.EqualTo(original.Replicas(l, e).ToArray()));
        Assert.That(ExpertPlacementYamlWriter.ToYaml(back), Is.EqualTo(File.ReadAllText(path)));
    }

    private const string Header = "strategy: manual\nnum_devices: 2\nnum_moe_layers: 1\nnum_experts: 3\nlayers:\n  - layer: 0\n    experts:\n";

    [TestCase("      0: [0]\n      2: [1]\n", "p.yaml:8:7: layers[0].experts: expert 1 not placed")]
    [TestCase("      0: [0]\n      1: [5]\n      2: [1]\n", "p.yaml:9:11: layers[0].experts.1.devices: device 5 does not exist (the system has devices 0..1)")]
    [TestCase("      0: {devices: [0, 1], weights: [0.5, 0.6]}\n      1: [0]\n      2: [1]\n", "layers[0].experts.0.weights: weights sum to 1.1, not 1")]
    [TestCase("      0: [0]\n      0: [1]\n      1: [0]\n      2: [1]\n", "p.yaml:9:7: malformed YAML: Duplicate key 0")]
    [TestCase("      0: [0, 0]\n      1: [0]\n      2: [1]\n", "device 0 holds this expert twice")]
    public void BadPlacement_IsAnInputErrorWithLocation(string experts, string expected)
    {
        var path = Write(Header + experts);
        var ex = Assert.Throws<InputException>(() => ExpertPlacementYamlReader.Load(path));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void DeviceCountOtherThanTheSystems_IsAnInputError()
    {
        var path = Write(Header + "      0: [0]\n      1: [1]\n      2: [1]\n");
        var ex = Assert.Throws<InputException>(() => ExpertPlacementYamlReader.Load(path, new ExpertPlacementLimits { NumDevices = 8, NumExperts = 4 }));
        Assert.That(ex!.Message, Does.Contain("p.yaml:2:14: num_devices: the placement is for 2 devices but the system has 8"));
        Assert.That(ex.Message, Does.Contain("num_experts: the placement has 3 experts per layer but the model has 4"));
    }

    [Test]
    public void CopiesOverDeviceMemory_IsAnInputError()
    {
        var path = Write(Header + "      0: [1]\n      1: [1]\n      2: [1]\n");
        var limits = new ExpertPlacementLimits { ExpertWeightBytes = 1L << 30, ExpertMemoryBytesPerDevice = 2.5 * (1L << 30) };
        var ex = Assert.Throws<InputException>(() => ExpertPlacementYamlReader.Load(path, limits));
        Assert.That(ex!.Message, Does.Contain("device 1 holds 3 expert copies = 3.0 GiB of weights, over its 2.5 GiB for experts"));
        Assert.That(ex.Message, Does.Not.Contain("device 0"));
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "p.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
