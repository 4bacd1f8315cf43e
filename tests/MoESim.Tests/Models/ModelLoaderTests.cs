using MoESim.Config;
using MoESim.Models;
using MoESim.Tests.Config;
using MoESim.Units;

namespace MoESim.Tests.Models;

[TestFixture]
public sealed class ModelLoaderTests
{
    // Line numbers in the expectations below refer to this text (line 1 is "name: ...").
    private const string ValidModel = """
        name: test-model
        hidden_size: 4096
        num_layers: 32
        vocab_size: 32000
        attention:
          kind: gqa
          num_heads: 32
          num_kv_heads: 8
          head_dim: 128
        moe:
          num_experts: 8
          top_k: 2
          expert_intermediate_size: 14336
        data_types:
          weights: bf16
          activations: bf16
          kv_cache: bf16

        """;

    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static InputException LoadFails(string path) =>
        Assert.Throws<InputException>(() => ModelLoader.Load(path))!;

    [Test]
    public void ValidModel_Loads()
    {
        var model = ModelLoader.Load(_temp.Write("ok.yaml", ValidModel));
        Assert.That(model.Name, Is.EqualTo("test-model"));
        Assert.That(model.Moe!.TopK, Is.EqualTo(2));
        Assert.That(model.DataTypes.Weights, Is.EqualTo(DataType.Bf16));
    }

    [TestCase("hidden_size: 4096", "hidden_size: abc", "2:14: hidden_size: expected a whole number, got 'abc'", TestName = "WrongType_Int")]
    [TestCase("  head_dim: 128", "  head_dim: [1, 2]", "9:13: attention.head_dim: expected a whole number", TestName = "WrongType_ListForInt")]
    [TestCase("  weights: bf16", "  weights: bf17", "15:12: data_types.weights: unknown data type 'bf17'", TestName = "WrongType_DataType")]
    [TestCase("kv_cache: bf16\n", "kv_cache: bf16\nnum_layerz: 3\n", "18:1: num_layerz: unknown field", TestName = "UnknownField_TopLevel")]
    [TestCase("  num_heads: 32", "  num_headz: 32", "7:3: attention.num_headz: unknown field", TestName = "UnknownField_Nested")]
    [TestCase("  top_k: 2", "  top_k: 9", "12:10: moe.top_k: must not exceed num_experts (8), got 9", TestName = "TopKAboveExperts")]
    [TestCase("vocab_size: 32000\n", "", "1:1: vocab_size: required field is missing", TestName = "MissingField_TopLevel")]
    [TestCase("  num_heads: 32", "  num_headz: 32", "6:3: attention.num_heads: required field is missing", TestName = "MissingField_Nested")]
    [TestCase("num_layers: 32", "num_layers: 0", "3:13: num_layers: must be at least 1, got 0", TestName = "ZeroLayers")]
    [TestCase("  num_kv_heads: 8", "  num_kv_heads: 5", "8:17: attention.num_kv_heads: must divide num_heads (32), got 5", TestName = "KvHeadsNotDividingHeads")]
    public void BadInput_NamesFileLineColumnAndField(string find, string replace, string expected)
    {
        Assert.That(ValidModel, Does.Contain(find), "test setup: the text to replace must exist");
        var path = _temp.Write("bad.yaml", ValidModel.Replace(find, replace, StringComparison.Ordinal));
        var ex = LoadFails(path);
        Assert.That(ex.Message, Does.Contain($"{path}:{expected}"));
    }

    [Test]
    public void MissingFile_NamesTheFile()
    {
        var path = Path.Combine(_temp.Path, "absent.yaml");
        var ex = LoadFails(path);
        // No line:col exists for a file that is not there; the message names the file.
        Assert.That(ex.Message, Is.EqualTo($"{path}: file not found"));
    }

    [Test]
    public void MalformedYaml_NamesFileAndPosition()
    {
        var path = _temp.Write("bad.yaml", ValidModel.Replace("hidden_size: 4096", "hidden_size: [4096", StringComparison.Ordinal));
        var ex = LoadFails(path);
        // Malformed YAML has no field to name; file and line:col are what a user needs.
        Assert.That(ex.Message, Does.Match($@"^{System.Text.RegularExpressions.Regex.Escape(path)}:\d+:\d+: malformed YAML: "));
    }

    [Test]
    public void MalformedYaml_BadIndentation_ReportsTheLine()
    {
        var path = _temp.Write("bad.yaml", "name: x\nattention:\n  kind: gqa\n    num_heads: 32\n");
        var ex = LoadFails(path);
        Assert.That(ex.Message, Does.Contain($"{path}:4:"));
        Assert.That(ex.Message, Does.Contain("malformed YAML"));
    }

    [Test]
    public void SeveralErrors_AreAllReported()
    {
        var text = ValidModel
            .Replace("hidden_size: 4096", "hidden_size: abc", StringComparison.Ordinal)
            .Replace("  num_heads: 32", "  num_headz: 32", StringComparison.Ordinal)
            .Replace("  top_k: 2", "  top_k: 9", StringComparison.Ordinal)
            .Replace("  kv_cache: bf16", "  kv_cache: fp9", StringComparison.Ordinal);
        var ex = LoadFails(_temp.Write("bad.yaml", text));
        var fields = ex.Errors.Select(e => e.Field).ToList();
        Assert.That(fields, Is.SupersetOf(new[] { "hidden_size", "attention.num_headz", "attention.num_heads", "moe.top_k", "data_types.kv_cache" }));
        Assert.That(ex.Message.Split('\n'), Has.Length.EqualTo(ex.Errors.Count), "one line per error");
    }

    [TestCase("  num_experts: 8", "  num_experts: abc", "moe.num_experts", TestName = "BadExperts_NoSpuriousTopKError")]
    [TestCase("  num_heads: 32", "  num_heads: many", "attention.num_heads", TestName = "BadHeads_NoSpuriousKvHeadsError")]
    [TestCase("  kind: gqa", "  kind: gqx", "attention.kind", TestName = "BadKind_NoSpuriousMhaError")]
    public void BadValue_IsReportedOnce_WithoutCascadingErrors(string find, string replace, string field)
    {
        var ex = LoadFails(_temp.Write("bad.yaml", ValidModel.Replace(find, replace, StringComparison.Ordinal)));
        Assert.That(ex.Errors.Select(e => e.Field), Is.EqualTo(new[] { field }));
    }

    [Test]
    public void DenseModelWithoutDenseWidth_IsAnError()
    {
        var text = ValidModel[..ValidModel.IndexOf("moe:", StringComparison.Ordinal)]
            + ValidModel[ValidModel.IndexOf("data_types:", StringComparison.Ordinal)..];
        var ex = LoadFails(_temp.Write("dense.yaml", text));
        Assert.That(ex.Errors.Select(e => e.Field), Does.Contain("dense_intermediate_size"));
    }

    [Test]
    public void Extends_MissingParent_NamesTheExtendsField()
    {
        var path = _temp.Write("child.yaml", "extends: nowhere.yaml\n" + ValidModel);
        var ex = LoadFails(path);
        Assert.That(ex.Message, Does.Contain($"{path}:1:10: extends: parent profile 'nowhere.yaml' not found"));
    }

    [Test]
    public void Extends_ChildOverridesNestedField_KeepsTheRest()
    {
        _temp.Write("base.yaml", ValidModel);
        var child = _temp.Write("child.yaml", "extends: base.yaml\nname: child\nmoe:\n  top_k: 4\n");
        var model = ModelLoader.Load(child);
        Assert.That(model.Name, Is.EqualTo("child"));
        Assert.That(model.Moe!.TopK, Is.EqualTo(4));
        Assert.That(model.Moe.NumExperts, Is.EqualTo(8), "merged from the parent");
    }

    private static IEnumerable<string> ShippedModels() =>
        Directory.GetFiles(RepoPaths.Models, "*.yaml").Order(StringComparer.Ordinal).Select(Path.GetFileName)!;

    [TestCaseSource(nameof(ShippedModels))]
    public void ShippedModel_LoadsWithoutError(string fileName)
    {
        var model = ModelLoader.Load(Path.Combine(RepoPaths.Models, fileName));
        Assert.That(model.Name, Is.EqualTo(Path.GetFileNameWithoutExtension(fileName)));
    }
}
