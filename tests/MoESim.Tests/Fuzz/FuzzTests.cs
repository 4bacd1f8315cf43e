using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MoESim.Parallelism;
using MoESim.Tests.Cli;

namespace MoESim.Tests.Fuzz;

/// <summary>
/// Seeded fuzz suite over every input format (issue 12, item 5). Each mutant is written to a file
/// and run in-process through the CLI with a watchdog; it must end with exit 0 or 2, within
/// <see cref="TimeLimit"/>, with no stack trace or "internal error" on stderr, and with no NaN in
/// report.json when it succeeded. <c>./test.sh</c> runs the default count per format; set
/// <c>MOESIM_FUZZ_MUTANTS=N</c> to run N mutants per format instead and <c>MOESIM_FUZZ_SEED</c> to
/// draw another set. A failing mutant is kept under <c>TestResults/fuzz-failures/</c>.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public partial class FuzzTests
{
    [GeneratedRegex(@"[:\[,]\s*""?[-+]?NaN""?\s*[,}\]]")]
    private static partial Regex NaNValue();

    private const ulong DefaultSeed = 20261208;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    private string _work = "";
    private string _moetrace = "";

    private static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable("MOESIM_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;

    private static int Count(int byDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("MOESIM_FUZZ_MUTANTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : byDefault;

    private static string Repo(params string[] parts) => Path.Combine([CliTestSupport.RepositoryRoot, .. parts]);

    [OneTimeSetUp]
    public void MakeSeeds()
    {
        _work = CliTestSupport.TempDir();
        _moetrace = Path.Combine(_work, "tiny.moetrace");
        var (exit, _, err) = CliTestSupport.Run("trace", "convert", Repo("traces", "samples", "tiny.jsonl"), _moetrace);
        Assert.That(exit, Is.Zero, err);
    }

    [OneTimeTearDown]
    public void RemoveWork()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string[] Simulate(string option, string file, string output, string requests) =>
        ["simulate", option, file, "--max-requests", requests, "--no-plots", "--out", output];

    [Test]
    public void DeviceProfileYaml() => Fuzz("device-profile", "gpu.yaml", false, File.ReadAllBytes(Repo("hardware-profiles", "h100-sxm.yaml")), 1500,
        (file, output) => [Simulate("--hardware", file, output, "3")]);

    [Test]
    public void SystemProfileYaml()
    {
        // The seed names its device profiles relative to its folder: make them absolute, so the mutant can live anywhere.
        var text = File.ReadAllText(Repo("hardware-profiles", "systems", "dgx-h100.yaml"))
            .Replace("../h100-sxm.yaml", Repo("hardware-profiles", "h100-sxm.yaml"))
            .Replace("../intel-xeon-8480c.yaml", Repo("hardware-profiles", "intel-xeon-8480c.yaml"));
        Fuzz("system-profile", "system.yaml", false, Encoding.UTF8.GetBytes(text), 800,
            (file, output) => [Simulate("--system", file, output, "2")]);
    }

    [Test]
    public void ModelYaml() => Fuzz("model", "model.yaml", false, File.ReadAllBytes(Repo("models", "mixtral-8x7b.yaml")), 1500,
        (file, output) => [[.. Simulate("--model", file, output, "3"), "--weight-dtype", "fp8"]]); // bf16 Mixtral does not fit one H100

    [Test]
    public void ScenarioYaml() => Fuzz("scenario", "scenario.yaml", false, File.ReadAllBytes(Repo("scenarios", "default.yaml")), 1500,
        (file, output) => [Simulate("--scenario", file, output, "3")]);

    [Test]
    public void PlacementYaml()
    {
        var seed = Path.Combine(_work, "placement-seed.yaml");
        ExpertPlacementYamlWriter.Save(seed, ExpertPlacement.Contiguous(32, 8, 8));
        Fuzz("placement", "placement.yaml", false, File.ReadAllBytes(seed), 600,
            (file, output) => [["simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--placement", file,
                "--poisson-rate", "1", "--poisson-requests", "2", "--no-plots", "--out", output]]);
    }

    [Test]
    public void RequestCsv()
    {
        var lines = File.ReadLines(Repo("traces", "requests", "splitwise-conv-1000.csv")).Take(20);
        Fuzz("request-csv", "requests.csv", false, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), 1500,
            (file, output) => [Simulate("--requests", file, output, "3")]);
    }

    [Test]
    public void JsonlTrace() => Fuzz("jsonl-trace", "trace.jsonl", false, File.ReadAllBytes(Repo("traces", "samples", "tiny.jsonl")), 1000,
        (file, output) => [["trace", "check", file], ["trace", "stats", file, "--no-plots", "--out", output]]);

    [Test]
    public void BinaryMoeTrace() => Fuzz("moetrace", "trace.moetrace", true, File.ReadAllBytes(_moetrace), 1500,
        (file, output) => [["trace", "check", file]]);

    [Test]
    public void SameSeed_SameMutants()
    {
        var input = File.ReadAllBytes(Repo("hardware-profiles", "h100-sxm.yaml"));
        for (var i = 0; i < 200; i++)
        {
            var a = FuzzMutator.Mutate(input, false, "device-profile", Seed, i);
            var b = FuzzMutator.Mutate(input, false, "device-profile", Seed, i);
            Assert.That(a.Bytes, Is.EqualTo(b.Bytes), $"mutant {i}");
            Assert.That(a.Description, Is.EqualTo(b.Description), $"mutant {i}");
        }
        var kinds = Enumerable.Range(0, 200).Select(i => FuzzMutator.Mutate(input, false, "device-profile", Seed, i).Kind).Distinct().Count();
        Assert.That(kinds, Is.EqualTo(Enum.GetValues<Mutation>().Length - 1), "every text mutation class is drawn");
    }

    private void Fuzz(string format, string fileName, bool binary, byte[] input, int defaultCount, Func<string, string, string[][]> commands)
    {
        var count = Count(defaultCount);
        var seed = Seed;
        var folder = Path.Combine(_work, format);
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, fileName);
        var output = Path.Combine(folder, "out");
        var failures = new List<string>();
        int ok = 0, bad = 0, unchanged = 0;
        // The unmutated seed must run cleanly, or every mutant would only test one error path.
        File.WriteAllBytes(file, input);
        foreach (var args in commands(file, output))
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            Assert.That(RunOne(args, output, out var seedExit), Is.Null, $"{format} seed input");
            Assert.That(seedExit, Is.Zero, $"{format} seed input: moesim {string.Join(' ', args)}");
        }
        var clock = Stopwatch.StartNew();
        for (var index = 0; index < count; index++)
        {
            var mutant = FuzzMutator.Mutate(input, binary, format, seed, index);
            if (mutant.Bytes.AsSpan().SequenceEqual(input)) unchanged++;
            File.WriteAllBytes(file, mutant.Bytes);
            var exits = new List<int>();
            foreach (var args in commands(file, output))
            {
                if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
                var problem = RunOne(args, output, out var exit);
                exits.Add(exit);
                if (problem is null) continue;
                var kept = Keep(format, seed, index, fileName, mutant.Bytes);
                failures.Add($"{format} mutant {index} (seed {seed}, {mutant.Description}): {problem}; command: moesim {string.Join(' ', args.Select(a => a == file ? kept : a))}");
                break;
            }
            if (exits.All(e => e == 0)) ok++; else bad++;
        }
        TestContext.Progress.WriteLine(
            $"fuzz {format}: {count} mutants (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s: {ok} exit 0, {bad} exit 2, {failures.Count} failed, {unchanged} unchanged");
        Assert.That(failures, Is.Empty, $"{failures.Count} bad endings, mutants kept under {FailureFolder}:\n" + string.Join("\n", failures.Take(20)));
    }

    private static string FailureFolder => Repo("TestResults", "fuzz-failures");

    private static string Keep(string format, ulong seed, int index, string fileName, byte[] bytes)
    {
        Directory.CreateDirectory(FailureFolder);
        var path = Path.Combine(FailureFolder, $"{format}-seed{seed}-{index}-{fileName}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs one command with a watchdog; null when it ended well, else what went wrong.</summary>
    private static string? RunOne(string[] args, string output, out int exit)
    {
        exit = -1;
        var run = Task.Run(() => CliTestSupport.Run(args));
        if (!run.Wait(TimeLimit))
            return $"still running after {TimeLimit.TotalSeconds:F0} s (hang)";
        if (run.IsFaulted) return "threw " + run.Exception!.InnerException;
        var (code, _, err) = run.Result;
        exit = code;
        if (code is not (0 or 2)) return $"exit {code}; stderr: {Head(err)}";
        if (err.Contains("   at ", StringComparison.Ordinal)) return "stack trace on stderr: " + Head(err);
        if (err.Contains("internal error", StringComparison.OrdinalIgnoreCase)) return "internal error: " + Head(err);
        if (code == 0)
        {
            // A NaN value (bare or as the string "NaN"), not the letters inside an echoed name such as "mixtralNaNx7b".
            // Only report.json: trace stats' stats.json writes NaN by design for a measure with no selections
            // (LoadMeasures: e.g. the decode phase of a trace that has no decode steps).
            var report = Path.Combine(output, "report.json");
            if (File.Exists(report) && NaNValue().Match(File.ReadAllText(report)) is { Success: true } nan)
                return $"NaN in report.json at character {nan.Index}";
        }
        return null;
    }

    private static string Head(string text) => text.Length <= 400 ? text.Trim() : text[..400].Trim() + " …";
}
