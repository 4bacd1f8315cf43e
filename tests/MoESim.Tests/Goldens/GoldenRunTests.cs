using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MoESim.Tests.Cli;

namespace MoESim.Tests.Goldens;

/// <summary>
/// Golden regression runs (tests/goldens/goldens.json): named end-to-end runs of the CLI whose
/// key report.json metrics must stay within a stated relative tolerance of stored values, so a
/// change to what the simulator predicts is a deliberate, reviewed update of the goldens.
/// <c>MOESIM_UPDATE_GOLDENS=1</c> rewrites the stored values instead of checking them.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs with the repository as its current directory
public class GoldenRunTests
{
    private const string UpdateVariable = "MOESIM_UPDATE_GOLDENS";

    private static string GoldenFile => Path.Combine(CliTestSupport.RepositoryRoot, "tests", "goldens", "goldens.json");

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static IEnumerable<TestCaseData> Goldens()
    {
        var root = JsonNode.Parse(File.ReadAllText(GoldenFileForDiscovery()))!;
        foreach (var golden in root["goldens"]!.AsArray())
            yield return new TestCaseData(golden!["name"]!.GetValue<string>()).SetName($"Golden_{golden["name"]!.GetValue<string>()}");
    }

    // Test discovery runs before NUnit's TestContext knows the test directory: walk up from the assembly.
    private static string GoldenFileForDiscovery()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MoESim.sln"))) return Path.Combine(dir.FullName, "tests", "goldens", "goldens.json");
        throw new InvalidOperationException("MoESim.sln not found above the test assembly");
    }

    [TestCaseSource(nameof(Goldens))]
    public void Golden_run_matches_its_stored_metrics(string name)
    {
        var root = JsonNode.Parse(File.ReadAllText(GoldenFile))!;
        double tolerance = root["tolerance_relative"]!.GetValue<double>();
        var golden = root["goldens"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == name)!;
        if (golden["tolerance_relative"] is { } own) tolerance = own.GetValue<double>();

        var outDir = CliTestSupport.TempDir();
        var args = golden["args"]!.AsArray().Select(a => a!.GetValue<string>()).Concat(["--out", outDir]).ToList();
        if (args[0] == "simulate") args.Add("--no-plots");
        var (exit, _, stderr) = CliTestSupport.Run(args.ToArray());
        Assert.That(exit, Is.EqualTo(0), $"golden {name}: moesim {string.Join(' ', args)} failed: {stderr}");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));

        var metrics = golden["metrics"]!.AsObject();
        if (Updating)
        {
            foreach (var path in metrics.Select(m => m.Key).ToList())
                metrics[path] = ToNode(Lookup(report.RootElement, path, name));
            File.WriteAllText(GoldenFile, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Assert.Pass($"golden {name}: stored values rewritten ({UpdateVariable}=1)");
        }

        var failures = new List<string>();
        foreach (var (path, stored) in metrics)
        {
            var actual = Lookup(report.RootElement, path, name);
            if (stored is null)
            {
                failures.Add($"{path}: no stored value (run with {UpdateVariable}=1 to record it)");
                continue;
            }
            if (actual.ValueKind == JsonValueKind.String)
            {
                if (actual.GetString() != stored.GetValue<string>())
                    failures.Add($"{path}: stored \"{stored}\", now \"{actual.GetString()}\"");
                continue;
            }
            double want = stored.GetValue<double>(), got = actual.GetDouble();
            if (!WithinRelative(want, got, tolerance))
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: stored {want:R}, now {got:R} ({RelativeDifference(want, got):P3} off, tolerance {tolerance:P2})"));
        }
        Assert.That(failures, Is.Empty, $"golden {name} ({golden["description"]}) moved:\n  " + string.Join("\n  ", failures));
    }

    [Test]
    public void Relative_tolerance_check_accepts_rounding_and_rejects_a_real_change()
    {
        Assert.That(WithinRelative(0.0150220856925, 0.0150220856926, 0.001), Is.True);
        Assert.That(WithinRelative(0.015, 0.0151, 0.001), Is.False);
        Assert.That(WithinRelative(0, 0, 0.001), Is.True);
        Assert.That(WithinRelative(0, 1e-9, 0.001), Is.False);
    }

    [Test]
    public void Every_golden_has_a_name_a_description_arguments_and_metrics_once()
    {
        var root = JsonNode.Parse(File.ReadAllText(GoldenFile))!;
        var names = new HashSet<string>();
        foreach (var golden in root["goldens"]!.AsArray())
        {
            var name = golden!["name"]!.GetValue<string>();
            Assert.That(names.Add(name), Is.True, $"golden {name} listed twice");
            Assert.That(golden["description"]!.GetValue<string>(), Is.Not.Empty, name);
            Assert.That(golden["args"]!.AsArray(), Is.Not.Empty, name);
            Assert.That(golden["metrics"]!.AsObject().Count, Is.GreaterThan(3), name);
        }
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(8));
    }

    private static bool WithinRelative(double want, double got, double tolerance) =>
        want == got || RelativeDifference(want, got) <= tolerance;

    private static double RelativeDifference(double want, double got) =>
        Math.Abs(got - want) / Math.Max(Math.Abs(want), Math.Abs(got));

    // A dotted path into report.json; "name[3]" picks element 3 of an array.
    private static JsonElement Lookup(JsonElement root, string path, string golden)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[');
            var key = bracket < 0 ? part : part[..bracket];
            if (!node.TryGetProperty(key, out node))
                Assert.Fail($"golden {golden}: report.json has no {path} (missing '{key}')");
            if (bracket >= 0)
            {
                int index = int.Parse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture);
                if (node.ValueKind != JsonValueKind.Array || index >= node.GetArrayLength())
                    Assert.Fail($"golden {golden}: report.json has no {path} (index {index})");
                node = node[index];
            }
        }
        if (node.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
            Assert.Fail($"golden {golden}: {path} is {node.ValueKind}, expected a number or a string");
        return node;
    }

    private static JsonNode ToNode(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? JsonValue.Create(value.GetString()!) : JsonValue.Create(value.GetDouble());
}
