using MoESim.Models;
using MoESim.Tests.Config;
using MoESim.Units;

namespace MoESim.Tests.Models;

[TestFixture]
public sealed class ModelYamlWriterTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    [TestCase("mixtral-8x7b")]
    [TestCase("deepseek-v3")]
    [TestCase("qwen3-30b-a3b")]
    [TestCase("olmoe-1b-7b")]
    [TestCase("codellama-34b")]
    public void ImportWriteLoad_RoundTrips(string name)
    {
        var imported = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig(name), null);
        var path = Path.Combine(_temp.Path, name + ".yaml");
        ModelYamlWriter.Write(imported, path, $"Hugging Face {name}/config.json");
        Assert.That(ModelLoader.Load(path), Is.EqualTo(imported));
    }

    [TestCase("mixtral-8x7b")]
    [TestCase("deepseek-v3")]
    public void ShippedModel_WriteLoad_RoundTrips(string name)
    {
        var shipped = ModelLoader.Load(Path.Combine(RepoPaths.Models, name + ".yaml"));
        var path = Path.Combine(_temp.Path, "out.yaml");
        ModelYamlWriter.Write(shipped, path, "test");
        Assert.That(ModelLoader.Load(path), Is.EqualTo(shipped));
    }

    [Test]
    public void Output_HasSourceCommentAndShippedLayout()
    {
        var model = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig("deepseek-v3"), null);
        var text = ModelYamlWriter.ToYaml(model, "Hugging Face deepseek-ai/DeepSeek-V3\nconfig.json");
        var lines = text.Split('\n');
        Assert.That(lines[0], Is.EqualTo("# source: Hugging Face deepseek-ai/DeepSeek-V3 config.json"), "one comment line, even for a multi-line source");
        Assert.That(lines, Does.Contain("name: deepseek-v3"));
        Assert.That(lines, Does.Contain("dense_intermediate_size: 18432"));
        Assert.That(lines, Does.Contain("  kind: mla"));
        Assert.That(lines, Does.Contain("  first_moe_layer: 3"));
        Assert.That(lines, Does.Contain("  shared_expert_intermediate_size: 2048"));
        Assert.That(lines, Does.Contain("  weights: fp8"));
        Assert.That(text, Does.Not.Contain("\r"));
    }

    [Test]
    public void Output_OmitsDefaults()
    {
        var model = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig("mixtral-8x7b"), null);
        var text = ModelYamlWriter.ToYaml(model, "x");
        Assert.That(text, Does.Not.Contain("dense_intermediate_size"));
        Assert.That(text, Does.Not.Contain("shared"));
        Assert.That(text, Does.Not.Contain("first_moe_layer"));
        Assert.That(text, Does.Not.Contain("moe_layer_interval"));
    }

    [Test]
    public void Write_ReplacesExistingFile_AndLeavesNoTemporaryFile()
    {
        var path = _temp.Write("model.yaml", "old contents that are not a model\n");
        var model = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig("codellama-34b"), null);
        ModelYamlWriter.Write(model, path, "test");
        Assert.That(ModelLoader.Load(path), Is.EqualTo(model));
        Assert.That(Directory.GetFiles(_temp.Path), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Write_CreatesMissingFolder()
    {
        var path = Path.Combine(_temp.Path, "new", "folder", "m.yaml");
        var model = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig("olmoe-1b-7b"), null);
        ModelYamlWriter.Write(model, path, "test");
        Assert.That(ModelLoader.Load(path), Is.EqualTo(model));
    }

    [TestCase("null")]
    [TestCase("True")]
    [TestCase("8x7b")]
    [TestCase("my model: v2 # not a comment")]
    [TestCase("quote \" and back\\slash")]
    [TestCase("Mixtral-8x7B-v0.1")]
    public void Name_RoundTripsWhateverItContains(string name)
    {
        var model = HuggingFaceConfigImporter.Import(RepoPaths.HfConfig("mixtral-8x7b"), name);
        var path = Path.Combine(_temp.Path, "m.yaml");
        ModelYamlWriter.Write(model, path, "test");
        Assert.That(ModelLoader.Load(path).Name, Is.EqualTo(name));
    }

    [Test]
    public void MlaWithoutQLora_AndEveryOtherLayerMoe_RoundTrips()
    {
        var model = new ModelConfig
        {
            Name = "lite",
            HiddenSize = 2048,
            NumLayers = 27,
            VocabSize = 102400,
            TieWordEmbeddings = true,
            DenseIntermediateSize = 10944,
            Attention = new AttentionConfig
            {
                Kind = AttentionKind.Mla, NumHeads = 16, NumKvHeads = 16, HeadDim = 0,
                QLoraRank = 0, KvLoraRank = 512, QkNopeHeadDim = 128, QkRopeHeadDim = 64, VHeadDim = 128,
            },
            Moe = new MoeConfig
            {
                NumExperts = 64, TopK = 6, ExpertIntermediateSize = 1408,
                NumSharedExperts = 2, SharedExpertIntermediateSize = 1408, FirstMoeLayer = 1, MoeLayerInterval = 2,
            },
            DataTypes = new ModelDataTypes { Weights = DataType.Int4, Activations = DataType.Fp16, KvCache = DataType.Fp8 },
        };
        var path = Path.Combine(_temp.Path, "lite.yaml");
        ModelYamlWriter.Write(model, path, "hand-written");
        Assert.That(ModelLoader.Load(path), Is.EqualTo(model));
    }
}
