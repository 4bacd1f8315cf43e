using System.Text;

namespace MoESim.Tests.Hardening;

/// <summary>Issue 12 case 3: invalid UTF-8 in a JSONL trace is a located error in every command that reads one.</summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class InvalidUtf8TraceTests
{
    private static string Mutate(int lineIndex, string from, byte[] to)
    {
        var lines = File.ReadAllText(HardeningSupport.RepoFile("traces", "samples", "tiny.jsonl")).Split('\n');
        var text = Encoding.UTF8.GetBytes(lines[lineIndex]);
        var at = lines[lineIndex].IndexOf(from, StringComparison.Ordinal);
        var mutated = text[..at].Concat(to).Concat(text[(at + from.Length)..]).ToArray();
        var bytes = new List<byte>();
        for (var i = 0; i < lines.Length; i++)
        {
            bytes.AddRange(i == lineIndex ? mutated : Encoding.UTF8.GetBytes(lines[i]));
            if (i < lines.Length - 1) bytes.Add((byte)'\n');
        }
        return HardeningSupport.WriteTemp("bad.jsonl", bytes.ToArray());
    }

    [TestCase("check")]
    [TestCase("stats")]
    public void InHeader_IsLocated(string command)
    {
        var path = Mutate(0, "tiny-moe", [(byte)'t', 0xFF, 0xFE, (byte)'e']);
        HardeningSupport.AssertBadInput(HardeningSupport.Run("trace", command, path), 5, "bad.jsonl:1:56: header: invalid UTF-8 (byte 0xFF)");
    }

    [TestCase("check")]
    [TestCase("stats")]
    public void InARecordFieldName_IsLocated(string command)
    {
        var path = Mutate(3, "\"phase\"", [(byte)'"', (byte)'p', 0xC3, (byte)'"']);
        HardeningSupport.AssertBadInput(HardeningSupport.Run("trace", command, path), 5, "bad.jsonl:4:", "json: invalid UTF-8 (byte 0xC3)");
    }

    [Test]
    public void Simulate_ReportsItToo()
    {
        var path = Mutate(0, "tiny-moe", [(byte)'t', 0xFF, (byte)'e']);
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--trace", path, "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            "bad.jsonl:1:", "header: invalid UTF-8 (byte 0xFF)");
    }
}
