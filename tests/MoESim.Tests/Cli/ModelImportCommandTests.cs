namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class ModelImportCommandTests
{
    [Test]
    public void Import_WritesYamlThatSimulatesLikeTheShippedModel()
    {
        var outFile = Path.Combine(CliTestSupport.TempDir(), "qwen.yaml");
        var config = Path.Combine(CliTestSupport.RepositoryRoot, "tests", "MoESim.Tests", "Fixtures", "hf", "qwen3-30b-a3b", "config.json");
        var (exit, stdout, stderr) = CliTestSupport.Run("model", "import", config, "--out", outFile);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("48 layers (48 MoE)"));
        var imported = global::MoESim.Models.ModelLoader.Load(outFile);
        var shipped = global::MoESim.Models.ModelLoader.Load(Path.Combine(CliTestSupport.RepositoryRoot, "models", "qwen3-30b-a3b.yaml"));
        Assert.That(imported, Is.EqualTo(shipped));
    }

    [Test]
    public void Import_MalformedJson_ExitsTwo()
    {
        var path = Path.Combine(CliTestSupport.TempDir(), "config.json");
        File.WriteAllText(path, "{ \"model_type\": \"mixtral\", ");
        var (exit, _, stderr) = CliTestSupport.Run("model", "import", path, "--out", Path.Combine(CliTestSupport.TempDir(), "x.yaml"));
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("config.json:"));
    }
}
