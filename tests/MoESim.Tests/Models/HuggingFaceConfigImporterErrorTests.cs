using MoESim.Config;
using MoESim.Models;
using MoESim.Tests.Config;

namespace MoESim.Tests.Models;

/// <summary>Bad config.json inputs: each error names the file, line:col (1-based) and the JSON key.</summary>
[TestFixture]
public sealed class HuggingFaceConfigImporterErrorTests
{
    // Line numbers in the expectations below refer to this text (line 1 is "{").
    private const string Mixtral = """
        {
          "model_type": "mixtral",
          "hidden_size": 4096,
          "num_hidden_layers": 32,
          "vocab_size": 32000,
          "num_attention_heads": 32,
          "num_key_value_heads": 8,
          "num_local_experts": 8,
          "num_experts_per_tok": 2,
          "intermediate_size": 14336,
          "torch_dtype": "bfloat16"
        }
        """;

    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static InputException ImportFails(string path) =>
        Assert.Throws<InputException>(() => HuggingFaceConfigImporter.Import(path, null))!;

    [Test]
    public void BaseText_Imports()
    {
        var model = HuggingFaceConfigImporter.Import(_temp.Write("config.json", Mixtral), "m");
        Assert.That(model.Moe!.NumExperts, Is.EqualTo(8));
    }

    [TestCase("\"hidden_size\": 4096", "\"hidden_size\": \"4096\"", "3:18: hidden_size: expected a whole number, got the text \"4096\"", TestName = "WrongType_TextForNumber")]
    [TestCase("\"hidden_size\": 4096", "\"hidden_size\": 4096.5", "3:18: hidden_size: expected a whole number, got 4096.5", TestName = "WrongType_Fraction")]
    [TestCase("\"hidden_size\": 4096", "\"hidden_size\": [4096]", "3:18: hidden_size: expected a whole number, got a list", TestName = "WrongType_List")]
    [TestCase("\"hidden_size\": 4096", "\"hidden_size\": -1", "3:18: hidden_size: must be at least 1, got -1", TestName = "NegativeSize")]
    [TestCase("\"model_type\": \"mixtral\"", "\"model_type\": \"mixtrel\"", "2:17: model_type: unsupported model type 'mixtrel' (supported: mixtral, deepseek_v2", TestName = "UnknownModelType")]
    [TestCase("\"model_type\": \"mixtral\"", "\"model_type\": 7", "2:17: model_type: expected text, got 7", TestName = "WrongType_ModelType")]
    [TestCase("  \"model_type\": \"mixtral\",\n", "", "1:1: model_type: required field is missing", TestName = "MissingModelType")]
    [TestCase("  \"num_local_experts\": 8,\n", "", "1:1: num_local_experts: required field is missing", TestName = "MissingExperts")]
    [TestCase("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 9", "9:26: num_experts_per_tok: must not exceed num_local_experts (8), got 9", TestName = "TopKAboveExperts")]
    [TestCase("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5", "7:26: num_key_value_heads: must divide num_attention_heads (32), got 5", TestName = "KvHeadsNotDividingHeads")]
    [TestCase("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"int3\"", "11:18: torch_dtype: unsupported dtype 'int3'", TestName = "UnknownDtype")]
    [TestCase("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"bfloat16\", \"tie_word_embeddings\": \"no\"", "11:53: tie_word_embeddings: expected true or false, got the text \"no\"", TestName = "WrongType_Bool")]
    [TestCase("\"intermediate_size\": 14336,", "\"intermediate_size\": 14336, \"quantization_config\": { \"quant_method\": \"bitsandbytes\" },", "10:72: quantization_config.quant_method: unsupported quantization method 'bitsandbytes'", TestName = "UnknownQuantMethod_NestedKey")]
    [TestCase("\"intermediate_size\": 14336,", "\"intermediate_size\": 14336, \"quantization_config\": 8,", "10:54: quantization_config: expected an object, got 8", TestName = "WrongType_Object")]
    public void BadInput_NamesFileLineColumnAndField(string find, string replace, string expected)
    {
        Assert.That(Mixtral, Does.Contain(find), "test setup: the text to replace must exist");
        var path = _temp.Write("config.json", Mixtral.Replace(find, replace, StringComparison.Ordinal));
        var ex = ImportFails(path);
        Assert.That(ex.Message, Does.Contain($"{path}:{expected}"));
    }

    [TestCase("\"hidden_size\": 4096,", "\"hidden_size\": 4096", "4:3", TestName = "Malformed_MissingComma")]
    [TestCase("\"torch_dtype\": \"bfloat16\"\n}", "\"torch_dtype\": \"bfloat16\"", "11:", TestName = "Malformed_Truncated")]
    [TestCase("\"vocab_size\": 32000", "\"vocab_size\": 32_000", "5:", TestName = "Malformed_BadNumber")]
    public void MalformedJson_NamesFileAndPosition(string find, string replace, string expectedPosition)
    {
        Assert.That(Mixtral, Does.Contain(find), "test setup: the text to replace must exist");
        var path = _temp.Write("config.json", Mixtral.Replace(find, replace, StringComparison.Ordinal));
        var ex = ImportFails(path);
        // Malformed JSON has no field to name; file and line:col are what a user needs.
        Assert.That(ex.Message, Does.StartWith($"{path}:{expectedPosition}"));
        Assert.That(ex.Message, Does.Contain("malformed JSON: "));
        Assert.That(ex.Message, Does.Not.Contain("LineNumber"), "System.Text.Json's own position suffix is dropped");
    }

    [Test]
    public void RootNotAnObject_IsAnError()
    {
        var path = _temp.Write("config.json", "[1, 2]");
        Assert.That(ImportFails(path).Message, Is.EqualTo($"{path}:1:1: expected a JSON object ({{ ... }}) at the top level"));
    }

    [Test]
    public void MissingFile_NamesTheFile()
    {
        var path = Path.Combine(_temp.Path, "config.json");
        Assert.That(ImportFails(path).Message, Is.EqualTo($"{path}: file not found"));
    }

    [Test]
    public void EmptyNameOverride_IsAnError()
    {
        var path = _temp.Write("config.json", Mixtral);
        var ex = Assert.Throws<InputException>(() => HuggingFaceConfigImporter.Import(path, " "))!;
        Assert.That(ex.Errors.Single().Field, Is.EqualTo("name"));
    }

    [Test]
    public void SeveralErrors_AreAllReported()
    {
        var text = Mixtral
            .Replace("\"hidden_size\": 4096", "\"hidden_size\": \"big\"", StringComparison.Ordinal)
            .Replace("  \"vocab_size\": 32000,\n", "", StringComparison.Ordinal)
            .Replace("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 9", StringComparison.Ordinal)
            .Replace("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"fp12\"", StringComparison.Ordinal);
        var ex = ImportFails(_temp.Write("config.json", text));
        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "hidden_size", "vocab_size", "num_experts_per_tok", "torch_dtype" }));
        Assert.That(ex.Errors.All(e => e.File.EndsWith("config.json", StringComparison.Ordinal)));
    }

    [Test]
    public void DeepSeek_MissingMlaKey_IsReported()
    {
        var text = File.ReadAllText(RepoPaths.HfConfig("deepseek-v3")).Replace("  \"kv_lora_rank\": 512,\n", "", StringComparison.Ordinal);
        var ex = ImportFails(_temp.Write("config.json", text));
        Assert.That(ex.Message, Does.Contain(":1:1: kv_lora_rank: required field is missing"));
    }

    [TestCase("[5]", "MoE layers 0-4, 6-7 do not follow", TestName = "Qwen3_MlpOnlyInTheMiddle")]
    [TestCase("[0, 2]", "MoE layers 1, 3-7 do not follow", TestName = "Qwen3_MlpOnlyBreaksTheInterval")]
    [TestCase("[8]", "layer 8 does not exist (num_hidden_layers is 8)", TestName = "Qwen3_MlpOnlyOutOfRange")]
    [TestCase("\"3\"", "expected a list of whole numbers, got the text \"3\"", TestName = "Qwen3_MlpOnlyWrongType")]
    public void Qwen3_UnrepresentableMlpOnlyLayers_AreAnError(string mlpOnly, string problem)
    {
        var path = _temp.Write("config.json", $$"""
            {
              "model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 8, "vocab_size": 1000,
              "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
              "num_experts": 16, "num_experts_per_tok": 4, "moe_intermediate_size": 768,
              "intermediate_size": 6144, "torch_dtype": "bfloat16",
              "mlp_only_layers": {{mlpOnly}}
            }
            """);
        var ex = ImportFails(path);
        Assert.That(ex.Message, Does.Contain($"{path}:6:22: mlp_only_layers: {problem}"));
    }
}
