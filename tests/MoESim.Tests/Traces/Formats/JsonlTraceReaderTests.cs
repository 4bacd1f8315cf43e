using MoESim.Config;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Traces.Formats;

[TestFixture]
public class JsonlTraceReaderTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private const string Header = """{"format":"moesim-routing-trace","version":1,"model":"t","moe_layers":2,"experts":4,"top_k":2,"gate_weights":false}""";

    private static string Rec(int request, int iteration, string phase, int first, int layer, string experts) =>
        $$"""{"request":{{request}},"iteration":{{iteration}},"phase":"{{phase}}","first_token":{{first}},"layer":{{layer}},"experts":{{experts}}}""";

    [Test]
    public void TinySample_IsReadStepByStep()
    {
        var steps = TraceTestFiles.ReadAll(TraceTestFiles.Tiny);
        Assert.That(steps, Has.Count.EqualTo(5));
        var first = steps[0];
        Assert.That((first.RequestId, first.Iteration, first.FirstTokenIndex, first.TokenCount, first.IsPrefill), Is.EqualTo((0, 0, 0, 3, true)));
        // Layer-major: layer 0 tokens 0..2 then layer 1.
        Assert.That(first.ExpertIds.ToArray(), Is.EqualTo(new[] { 0, 1, 2, 3, 0, 2, 1, 3, 0, 1, 2, 1 }));
        Assert.That(first.GateWeights[0], Is.EqualTo(0.6f));
        Assert.That(first.GateWeights[6], Is.EqualTo(0.55f));
        var last = steps[4];
        Assert.That((last.RequestId, last.Iteration, last.FirstTokenIndex, last.TokenCount, last.IsPrefill), Is.EqualTo((1, 1, 2, 1, false)));
        Assert.That(last.ExpertIds.ToArray(), Is.EqualTo(new[] { 2, 0, 1, 2 }));
    }

    [Test]
    public void TinySample_HeaderGivesShape()
    {
        using var reader = RoutingTraceFiles.OpenReader(TraceTestFiles.Tiny);
        Assert.That(reader.Shape, Is.EqualTo(new TraceShape { NumMoeLayers = 2, NumExperts = 4, TopK = 2, HasGateWeights = true, ModelName = "tiny-moe" }));
    }

    private InputError ErrorOf(params string[] lines)
    {
        var path = _dir.Write("bad.jsonl", string.Join("\n", lines) + "\n");
        var ex = Assert.Throws<InputException>(() => TraceTestFiles.ReadAll(path))!;
        Assert.That(ex.Errors[0].File, Is.EqualTo(path));
        return ex.Errors[0];
    }

    [Test]
    public void Truncated_LastStepMissingALayer()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"), Rec(0, 0, "prefill", 0, 1, "[[0,1]]"), Rec(0, 1, "decode", 1, 0, "[[2,3]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "layer")));
        Assert.That(e.Problem, Does.Contain("truncated"));
    }

    [Test]
    public void Truncated_LineCutMidRecord()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"), """{"request":0,"iteration":0,"phase":"pre""");
        Assert.That((e.Line, e.Field), Is.EqualTo((3, "json")));
    }

    [Test]
    public void ExpertIdOutOfRange()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"), Rec(0, 0, "prefill", 0, 1, "[[0,4]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((3, "experts")), "the layer-1 record, not the step's first line");
        Assert.That(e.Problem, Does.Contain("expert id 4 out of range 0..3").And.Contain("layer 1"));
    }

    [Test]
    public void DuplicateExpertInTopK()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1],[2,3]]"), "", Rec(0, 0, "prefill", 0, 1, "[[0,1],[2,2]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "experts")), "the layer-1 record, after a blank line");
        Assert.That(e.Problem, Does.Contain("expert 2 appears twice").And.Contain("token 1"));
    }

    [Test]
    public void WrongLayerCount_NextStepStartsEarly()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"), Rec(0, 1, "decode", 1, 0, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((3, "layer")));
        Assert.That(e.Problem, Does.Contain("only 1 of 2 layers"));
    }

    [Test]
    public void LayerOutOfOrder()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 1, "[[0,1]]"), Rec(0, 0, "prefill", 0, 0, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((2, "layer")));
    }

    [Test]
    public void LayerOutOfRange()
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"), Rec(0, 0, "prefill", 0, 2, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((3, "layer")));
    }

    [Test]
    public void UnsortedIterations()
    {
        var e = ErrorOf(Header,
            Rec(0, 1, "prefill", 0, 0, "[[0,1]]"), Rec(0, 1, "prefill", 0, 1, "[[0,1]]"),
            Rec(0, 0, "decode", 1, 0, "[[0,1]]"), Rec(0, 0, "decode", 1, 1, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "iteration")));
        Assert.That(e.Problem, Does.Contain("must increase: 0 after 1"));
    }

    [Test]
    public void InconsistentTokenIndex()
    {
        var e = ErrorOf(Header,
            Rec(0, 0, "prefill", 0, 0, "[[0,1],[1,2]]"), Rec(0, 0, "prefill", 0, 1, "[[0,1],[1,2]]"),
            Rec(0, 1, "decode", 3, 0, "[[0,1]]"), Rec(0, 1, "decode", 3, 1, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "first_token")));
    }

    [Test]
    public void PrefillAfterDecode()
    {
        var e = ErrorOf(Header,
            Rec(0, 0, "decode", 0, 0, "[[0,1]]"), Rec(0, 0, "decode", 0, 1, "[[0,1]]"),
            Rec(0, 1, "prefill", 1, 0, "[[0,1]]"), Rec(0, 1, "prefill", 1, 1, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "phase")));
    }

    [TestCase("[[0,1,2]]", "token 0 has 3 experts, expected top_k = 2")]
    [TestCase("[[0]]", "token 0 has 1 experts, expected top_k = 2")]
    [TestCase("[]", "no tokens")]
    [TestCase("[[0,\"a\"]]", "expected whole-number expert ids")]
    public void WrongTopKLengthOrBadIds(string experts, string message)
    {
        var e = ErrorOf(Header, Rec(0, 0, "prefill", 0, 0, experts));
        Assert.That((e.Line, e.Field), Is.EqualTo((2, "experts")));
        Assert.That(e.Problem, Does.Contain(message));
    }

    [TestCase("""{"format":"other","version":1,"model":"t","moe_layers":2,"experts":4,"top_k":2,"gate_weights":false}""", "format")]
    [TestCase("""{"format":"moesim-routing-trace","version":2,"model":"t","moe_layers":2,"experts":4,"top_k":2,"gate_weights":false}""", "version")]
    [TestCase("""{"format":"moesim-routing-trace","version":1,"model":"t","moe_layers":2,"experts":4,"top_k":5,"gate_weights":false}""", "top_k")]
    [TestCase("""{"format":"moesim-routing-trace","version":1,"model":"t","moe_layers":2,"experts":4,"top_k":2}""", "gate_weights")]
    [TestCase("""{"format":"moesim-routing-trace","version":1,"model":"t","moe_layers":2,"experts":4,"top_k":2,"gate_weights":false,"x":1}""", "x")]
    public void BadHeader(string header, string field)
    {
        var e = ErrorOf(header);
        Assert.That((e.Line, e.Field), Is.EqualTo((1, field)));
    }

    [Test]
    public void UnknownRecordField()
    {
        var e = ErrorOf(Header, """{"request":0,"iteration":0,"phase":"prefill","first_token":0,"layer":0,"experts":[[0,1]],"extra":1}""");
        Assert.That((e.Line, e.Field), Is.EqualTo((2, "extra")));
    }

    [Test]
    public void WeightsMissingWhenHeaderPromisesThem()
    {
        var header = Header.Replace("\"gate_weights\":false", "\"gate_weights\":true", StringComparison.Ordinal);
        var e = ErrorOf(header, Rec(0, 0, "prefill", 0, 0, "[[0,1]]"));
        Assert.That((e.Line, e.Field), Is.EqualTo((2, "weights")));
    }
}
