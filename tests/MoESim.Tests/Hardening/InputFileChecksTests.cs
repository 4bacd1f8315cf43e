using MoESim.Parallelism;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 9: request CSV rows with extra fields were used silently; rows after
/// <c>--max-requests N</c> were never checked; a <c>.moetrace</c> header with wrong counts passed
/// <c>trace stats</c> and <c>simulate</c>; <c>strategy: banana</c> in a placement file was accepted.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class InputFileChecksTests
{
    [Test]
    public void RequestRowWithAnExtraField_IsLocatedAtTheField()
    {
        var path = HardeningSupport.WriteTemp("reqs.csv", "arrival_s,prompt_tokens,output_tokens\n0.0,100,10,5\n1,100,10\n");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--requests", path, "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            "reqs.csv:2:12: expected 3 comma-separated fields, got 4");
    }

    [Test]
    public void ABadRowAfterMaxRequests_IsStillFound()
    {
        var path = HardeningSupport.WriteTemp("reqs.csv", "arrival_s,prompt_tokens,output_tokens\n0.0,100,10\n1,100,10\n2,lots,10\n");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--requests", path, "--max-requests", "1", "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            "reqs.csv:4: prompt_tokens: expected a whole number of tokens >= 1, got 'lots'");
    }

    private static string TraceWithWrongCounts()
    {
        var source = HardeningSupport.RepoFile("traces", "samples", "olmoe-1b-7b.moetrace");
        MoeTraceHeader header;
        using (var reader = new MoeTraceReader(source)) header = reader.Header;
        var bytes = File.ReadAllBytes(source);
        // A well-formed header (its CRC recomputed) whose counts do not match the chunks.
        var wrong = (header with { Requests = header.Requests + 1, DecodeTokens = header.DecodeTokens + 7 }).Encode();
        wrong.CopyTo(bytes, 0);
        return HardeningSupport.WriteTemp("wrong.moetrace", bytes);
    }

    [TestCase("trace", "check")]
    [TestCase("trace", "stats")]
    public void MoetraceHeaderWithWrongCounts_IsRejected(string command, string sub)
    {
        var path = TraceWithWrongCounts();
        HardeningSupport.AssertBadInput(HardeningSupport.Run(command, sub, path), 10,
            "wrong.moetrace: header requests: the header says 13, the chunks hold 12",
            "wrong.moetrace: header decode_tokens: the header says 3079, the chunks hold 3072");
    }

    [Test]
    public void MoetraceHeaderWithWrongCounts_IsRejectedBySimulate()
    {
        var path = TraceWithWrongCounts();
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--model", "olmoe-1b-7b", "--trace", path, "--poisson-rate", "1", "--poisson-requests", "5",
            "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 20, "wrong.moetrace: header requests: the header says 13, the chunks hold 12");
    }

    [Test]
    public void UnknownPlacementStrategy_ListsTheKnownOnes()
    {
        var path = Path.Combine(Cli.CliTestSupport.TempDir(), "placement.yaml");
        ExpertPlacementYamlWriter.Save(path, ExpertPlacement.Contiguous(32, 8, 8));
        File.WriteAllText(path, File.ReadAllText(path).Replace("strategy: contiguous", "strategy: banana"));
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--placement", path,
            "--poisson-rate", "1", "--poisson-requests", "2", "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            "placement.yaml:2:11: strategy: unknown strategy 'banana' (expected one of contiguous, round-robin, greedy, ilp, manual)");
    }
}
