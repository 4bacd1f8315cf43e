namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class BadInputTests
{
    private static string WriteTemp(string name, string text)
    {
        var path = Path.Combine(CliTestSupport.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void AssertBadInput((int Exit, string Out, string Err) result, params string[] fragments)
    {
        Assert.That(result.Exit, Is.EqualTo(2), result.Err);
        foreach (var f in fragments) Assert.That(result.Err, Does.Contain(f));
        Assert.That(result.Err, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void MissingModelFile_NamesTheOptionAndKnownModels() =>
        AssertBadInput(CliTestSupport.Run("simulate", "--model", "no-such-model"), "no-such-model", "--model", "mixtral-8x7b");

    [Test]
    public void MalformedYaml_GivesFileLineAndColumn()
    {
        var path = WriteTemp("bad.yaml", "name: x\nhidden_size: [1, 2\n");
        AssertBadInput(CliTestSupport.Run("roofline", "--model", path), "bad.yaml:", "malformed YAML");
    }

    [Test]
    public void UnknownField_IsNamedWithItsPosition()
    {
        var text = File.ReadAllText(Path.Combine(CliTestSupport.RepositoryRoot, "models", "olmoe-1b-7b.yaml")).Replace("vocab_size:", "vocab_sise:");
        var path = WriteTemp("olmoe.yaml", text);
        AssertBadInput(CliTestSupport.Run("roofline", "--model", path), "olmoe.yaml:", "vocab_sise: unknown field", "vocab_size: required field is missing");
    }

    [Test]
    public void WrongType_NamesTheField()
    {
        var text = File.ReadAllText(Path.Combine(CliTestSupport.RepositoryRoot, "models", "olmoe-1b-7b.yaml")).Replace("hidden_size: 2048", "hidden_size: wide");
        var path = WriteTemp("olmoe.yaml", text);
        AssertBadInput(CliTestSupport.Run("roofline", "--model", path), "olmoe.yaml:5:14:", "hidden_size: expected a whole number, got 'wide'");
    }

    [TestCase("bandwidth_gb_per_s: 3350", "bandwidth_gb_per_s: -5")]
    [TestCase("bandwidth_gb_per_s: 3350", "bandwidth_gb_per_s: 0")]
    public void NonPositiveBandwidth_IsRejected(string from, string to)
    {
        var text = File.ReadAllText(Path.Combine(CliTestSupport.RepositoryRoot, "hardware-profiles", "h100-sxm.yaml")).Replace(from, to);
        var path = WriteTemp("gpu.yaml", text);
        AssertBadInput(CliTestSupport.Run("roofline", "--hardware", path), "gpu.yaml:", "memory[0].bandwidth_gb_per_s: must be greater than zero");
    }

    [Test]
    public void TopKAboveExperts_IsRejected()
    {
        var text = File.ReadAllText(Path.Combine(CliTestSupport.RepositoryRoot, "models", "mixtral-8x7b.yaml")).Replace("top_k: 2", "top_k: 9");
        var path = WriteTemp("mixtral.yaml", text);
        AssertBadInput(CliTestSupport.Run("roofline", "--model", path), "mixtral.yaml:", "moe.top_k: must not exceed num_experts (8), got 9");
    }

    [Test]
    public void EmptyRequestTrace_IsRejected()
    {
        var path = WriteTemp("empty.csv", "");
        AssertBadInput(CliTestSupport.Run("simulate", "--requests", path, "--no-plots", "--out", CliTestSupport.TempDir()), "empty.csv:1", "empty request trace");
    }

    [Test]
    public void BadRequestRow_NamesLineAndColumn()
    {
        var path = WriteTemp("reqs.csv", "arrival_s,prompt_tokens,output_tokens\n0.0,100,10\n0.5,lots,10\n");
        AssertBadInput(CliTestSupport.Run("simulate", "--requests", path, "--no-plots", "--out", CliTestSupport.TempDir()), "reqs.csv:3", "prompt_tokens");
    }

    [Test]
    public void UnknownOption_ExitsWithTwo() =>
        AssertBadInput(CliTestSupport.Run("simulate", "--frobnicate"), "--frobnicate");

    [Test]
    public void BadWeightType_IsRejected() =>
        AssertBadInput(CliTestSupport.Run("simulate", "--weight-dtype", "fp7"), "--weight-dtype", "unknown data type");
}
