using System.Text.Json;
using static MoESim.Tests.Cli.CliTestSupport;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class TraceGenStatsCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void GenThenStatsWritesTraceTablesAndPlots()
    {
        var trace = Path.Combine(_dir, "olmoe.moetrace");
        var gen = Run("trace", "gen", "--model", "olmoe-1b-7b", "--requests", "6", "--prompt-tokens", "40", "--output-tokens", "30",
            "--seed", "3", "--zipf", "1.1", "--decode-locality", "0.4", "--affinity", "0.5", "--out", trace);
        Assert.That(gen.Exit, Is.EqualTo(0), gen.Err);
        Assert.That(gen.Out, Does.Contain("16 MoE layers x 64 experts, top-8"));
        var again = Path.Combine(_dir, "again.moetrace");
        Run("trace", "gen", "--model", "olmoe-1b-7b", "--requests", "6", "--prompt-tokens", "40", "--output-tokens", "30",
            "--seed", "3", "--zipf", "1.1", "--decode-locality", "0.4", "--affinity", "0.5", "--out", again);
        Assert.That(File.ReadAllBytes(again), Is.EqualTo(File.ReadAllBytes(trace)), "same seed, same bytes");

        var check = Run("trace", "check", trace);
        Assert.That(check.Exit, Is.EqualTo(0), check.Err);

        var outDir = Path.Combine(_dir, "stats");
        var stats = Run("trace", "stats", trace, "--out", outDir, "--layer-pair", "5");
        Assert.That(stats.Exit, Is.EqualTo(0), stats.Err);
        Assert.That(stats.Out, Does.Contain("decode"));
        foreach (var f in new[] { "stats.json", "layer_stats.csv", "expert_popularity.csv", "cache_hit_rate.csv", "reuse_distance.csv", "distinct_experts_vs_batch.csv", "affinity.csv", "affinity_matrix.csv",
                     "popularity_decode.png", "popularity_prefill.svg", "cache_hit_rate.png", "affinity_layer5.png", "distinct_experts_vs_batch.png" })
            Assert.That(File.Exists(Path.Combine(outDir, f)), f);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "stats.json")));
        var decode = json.RootElement.GetProperty("statistics").GetProperty("phases")[1];
        Assert.That(decode.GetProperty("tokens").GetInt64(), Is.EqualTo(6 * 29));
        var locality = decode.GetProperty("layers").EnumerateArray().Average(l => l.GetProperty("locality_excess").GetDouble());
        Assert.That(locality, Is.EqualTo(0.4).Within(0.12), "6 requests: a loose check that the option reached the trace");
    }

    [Test]
    public void FitWritesReusableParametersAndATraceOfTheSameShape()
    {
        var source = Path.Combine(_dir, "source.jsonl");
        Assert.That(Run("trace", "gen", "--model", "mixtral-8x7b", "--requests", "8", "--prompt-tokens", "30", "--output-tokens", "40", "--zipf", "1.2", "--locality", "0.5", "--out", source).Exit, Is.EqualTo(0));
        var fitted = Path.Combine(_dir, "fitted.moetrace");
        var fit = Run("trace", "gen", "--fit", source, "--requests", "8", "--prompt-tokens", "30", "--output-tokens", "40", "--out", fitted);
        Assert.That(fit.Exit, Is.EqualTo(0), fit.Err);
        var parameters = Path.Combine(_dir, "fitted.params.json");
        Assert.That(File.Exists(parameters));
        var reuse = Run("trace", "gen", "--params", parameters, "--requests", "2", "--decode-locality", "0.1", "--out", Path.Combine(_dir, "reuse.moetrace"));
        Assert.That(reuse.Exit, Is.EqualTo(0), reuse.Err);
        Assert.That(reuse.Out, Does.Contain("32 MoE layers x 8 experts, top-2"));
    }

    [TestCase(new[] { "--model", "mixtral-8x7b", "--zipf", "5" }, "decode.zipf")]
    [TestCase(new[] { "--model", "mixtral-8x7b", "--locality", "1" }, "prefill.locality")]
    [TestCase(new[] { "--model", "mixtral-8x7b", "--decode-affinity", "-0.1" }, "decode.affinity")]
    [TestCase(new[] { "--model", "mixtral-8x7b", "--successors", "9" }, "successor_set_size")]
    [TestCase(new[] { "--model", "no-such-model" }, "--model")]
    [TestCase(new[] { "--model", "codellama-34b" }, "dense model")]
    [TestCase(new[] { "--model", "mixtral-8x7b", "--requests", "0" }, "--requests")]
    [TestCase(new[] { "--params", "no-such.json" }, "no-such.json")]
    public void GenRejectsBadInputWithExitTwo(string[] args, string expected)
    {
        var r = Run(["trace", "gen", .. args, "--out", Path.Combine(_dir, "x.moetrace")]);
        Assert.That(r.Exit, Is.EqualTo(2), r.Out + r.Err);
        Assert.That(r.Err, Does.Contain(expected));
        Assert.That(r.Err, Does.Not.Contain("   at "));
        Assert.That(File.Exists(Path.Combine(_dir, "x.moetrace")), Is.False);
    }

    [Test]
    public void GenRejectsAnUnknownOutputExtension()
    {
        var r = Run("trace", "gen", "--model", "mixtral-8x7b", "--out", Path.Combine(_dir, "x.bin"));
        Assert.That(r.Exit, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("--out").And.Contain(".moetrace"));
    }

    [Test]
    public void HistogramWithWrongLengthNamesFileAndLine()
    {
        var histogram = Path.Combine(_dir, "h.csv");
        File.WriteAllText(histogram, "# mixtral has 8 experts\n1,2,3,4,5,6,7\n");
        var r = Run("trace", "gen", "--model", "mixtral-8x7b", "--histogram", histogram, "--out", Path.Combine(_dir, "x.moetrace"));
        Assert.That(r.Exit, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("h.csv:2:1: histogram: has 7 weights, the model has 8 experts"));
    }

    [Test]
    public void HistogramWithWrongLayerCountIsRejected()
    {
        var histogram = Path.Combine(_dir, "h.csv");
        File.WriteAllText(histogram, "1,1,1,1,1,1,1,1\n2,1,1,1,1,1,1,1\n");
        var r = Run("trace", "gen", "--model", "mixtral-8x7b", "--histogram", histogram, "--out", Path.Combine(_dir, "x.moetrace"));
        Assert.That(r.Exit, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("has 2 layer lines, the model has 32 MoE layers"));
    }

    [Test]
    public void ParametersFileWithUnknownKeyOrBadValueIsRejected()
    {
        var file = Path.Combine(_dir, "p.json");
        File.WriteAllText(file, """{"layers": 2, "experts": 4, "top_k": 2, "seed": 1, "prefill": {"zipf": 0}, "decode": {"zipf": 0, "localty": 0.2}}""");
        var r = Run("trace", "gen", "--params", file, "--requests", "1", "--out", Path.Combine(_dir, "x.moetrace"));
        Assert.That(r.Exit, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("p.json: decode.localty: unknown key"));
        File.WriteAllText(file, """{"layers": 2, "experts": 4, "top_k": 5, "seed": 1, "prefill": {"zipf": 0}, "decode": {"zipf": 0}}""");
        r = Run("trace", "gen", "--params", file, "--requests", "1", "--out", Path.Combine(_dir, "x.moetrace"));
        Assert.That(r.Exit, Is.EqualTo(2));
        Assert.That(r.Err, Does.Contain("p.json: top_k: must be in 1..4"));
    }

    [Test]
    public void StatsRejectsMissingFileAndBadOptions()
    {
        var missing = Run("trace", "stats", Path.Combine(_dir, "none.moetrace"));
        Assert.That(missing.Exit, Is.EqualTo(2));
        Assert.That(missing.Err, Does.Contain("none.moetrace"));
        var trace = Path.Combine(_dir, "t.moetrace");
        Run("trace", "gen", "--model", "mixtral-8x7b", "--requests", "1", "--prompt-tokens", "4", "--output-tokens", "3", "--out", trace);
        var pair = Run("trace", "stats", trace, "--layer-pair", "31", "--out", Path.Combine(_dir, "s"));
        Assert.That(pair.Exit, Is.EqualTo(2));
        Assert.That(pair.Err, Does.Contain("--layer-pair: must be in 0..30"));
        var sample = Run("trace", "stats", trace, "--sample-fraction", "0", "--out", Path.Combine(_dir, "s"));
        Assert.That(sample.Exit, Is.EqualTo(2));
        Assert.That(sample.Err, Does.Contain("--sample-fraction"));
    }
}
