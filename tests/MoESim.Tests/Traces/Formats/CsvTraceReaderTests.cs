using MoESim.Config;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Traces.Formats;

[TestFixture]
public class CsvTraceReaderTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private string Csv(params string[] lines) => _dir.Write("t.csv", string.Join("\n", lines) + "\n");

    [Test]
    public void PhaseColumn_GroupsPrefillTokensAndSplitsDecodeTokens()
    {
        var path = Csv("# shape: moe_layers=2 experts=4 top_k=2 model=m",
            "request_id,token_index,layer,expert_ids,phase",
            "0,0,0,\"0 1\",prefill", "0,0,1,\"2;3\",prefill",
            "0,1,0,\"1 2\",prefill", "0,1,1,\"3,0\",prefill",
            "0,2,0,0 3,decode", "0,2,1,1 2,decode",
            "0,3,0,2 1,decode", "0,3,1,0 3,decode");
        var steps = TraceTestFiles.ReadAll(path);
        Assert.That(steps.Select(s => (s.Iteration, s.FirstTokenIndex, s.TokenCount, s.IsPrefill)),
            Is.EqualTo(new[] { (0, 0, 2, true), (1, 2, 1, false), (2, 3, 1, false) }));
        // Token-major rows become the layer-major step layout.
        Assert.That(steps[0].ExpertIds.ToArray(), Is.EqualTo(new[] { 0, 1, 1, 2, 2, 3, 3, 0 }));
        using var reader = RoutingTraceFiles.OpenReader(path);
        Assert.That(reader.Shape, Is.EqualTo(new TraceShape { NumMoeLayers = 2, NumExperts = 4, TopK = 2, ModelName = "m" }));
    }

    [Test]
    public void WithoutPhaseOrShapeLine_OneRequestIsOnePrefillStep_AndTheShapeIsInferred()
    {
        var path = Csv("request_id,token_index,layer,expert_ids,weights",
            "7,0,0,0 5,0.5 0.5", "7,0,1,1 2,0.25 0.75", "7,1,0,5 0,1 0", "7,1,1,2 1,0.5 0.5",
            "8,0,0,3 4,0.5 0.5", "8,0,1,1 0,0.5 0.5");
        using var reader = RoutingTraceFiles.OpenReader(path);
        Assert.That(reader.Shape, Is.EqualTo(new TraceShape { NumMoeLayers = 2, NumExperts = 6, TopK = 2, HasGateWeights = true }));
        var steps = TraceTestFiles.ReadAll(path);
        Assert.That(steps.Select(s => (s.RequestId, s.TokenCount, s.IsPrefill)), Is.EqualTo(new[] { (7, 2, true), (8, 1, true) }));
        Assert.That(steps[0].GateWeights[5], Is.EqualTo(0.75f).Within(1e-6)); // layer 1, token 0, choice 1
    }

    [Test]
    public void IterationColumn_DefinesSteps()
    {
        var path = Csv("request_id,iteration,token_index,layer,expert_ids",
            "0,0,0,0,0 1", "0,1,1,0,1 2", "0,1,2,0,2 3");
        var steps = TraceTestFiles.ReadAll(path);
        Assert.That(steps.Select(s => (s.Iteration, s.FirstTokenIndex, s.TokenCount)), Is.EqualTo(new[] { (0, 0, 1), (1, 1, 2) }));
    }

    private InputError ErrorOf(params string[] lines)
    {
        var path = Csv(lines);
        var ex = Assert.Throws<InputException>(() => TraceTestFiles.ReadAll(path))!;
        Assert.That(ex.Errors[0].File, Is.EqualTo(path));
        return ex.Errors[0];
    }

    private const string Shape = "# shape: moe_layers=2 experts=4 top_k=2";
    private const string Columns = "request_id,token_index,layer,expert_ids";

    [Test]
    public void LayerOutOfOrder() =>
        Assert.That(ErrorOf(Shape, Columns, "0,0,1,0 1", "0,0,0,0 1") is { Line: 3, Field: "layer" });

    [Test]
    public void WrongLayerCount_TokenEndsEarly() =>
        Assert.That(ErrorOf(Shape, Columns, "0,0,0,0 1", "0,1,0,0 1", "0,1,1,0 1") is { Line: 4, Field: "layer" });

    [Test]
    public void Truncated_LastTokenMissingLayers()
    {
        var e = ErrorOf(Shape, Columns, "0,0,0,0 1");
        Assert.That((e.Field, e.Problem), Is.EqualTo(("layer", "truncated: token 0 of request 0 ends after layer 0; expected 2 layers")));
    }

    [Test]
    public void WrongTopKLength() =>
        Assert.That(ErrorOf(Shape, Columns, "0,0,0,0 1 2", "0,0,1,0 1") is { Line: 3, Field: "expert_ids" });

    [Test]
    public void ExpertOutOfRange()
    {
        var e = ErrorOf(Shape, Columns, "0,0,0,0 1", "0,0,1,0 4");
        Assert.That((e.Line, e.Field), Is.EqualTo((4, "experts")), "the row of layer 1, not the step's first row");
        Assert.That(e.Problem, Does.Contain("expert id 4 out of range 0..3"));
    }

    [Test]
    public void DuplicateExpert()
    {
        // Two prefill tokens (one step): the repeat is in token 1's layer-0 row, the step's third row.
        var e = ErrorOf(Shape, Columns + ",phase", "0,0,0,0 1,prefill", "0,0,1,0 1,prefill", "0,1,0,2 2,prefill", "0,1,1,0 1,prefill");
        Assert.That((e.Line, e.Field), Is.EqualTo((5, "experts")));
        Assert.That(e.Problem, Does.Contain("expert 2 appears twice in the top-2 of token 1 at layer 0"));
    }

    [Test]
    public void UnsortedIterations() =>
        Assert.That(ErrorOf(Shape, "request_id,iteration,token_index,layer,expert_ids",
            "0,3,0,0,0 1", "0,3,0,1,0 1", "0,2,1,0,0 1", "0,2,1,1,0 1") is { Line: 5, Field: "iteration" });

    [Test]
    public void NotANumber() =>
        Assert.That(ErrorOf(Shape, Columns, "0,x,0,0 1") is { Line: 3, Field: "token_index" });

    [Test]
    public void UnknownColumn() =>
        Assert.That(ErrorOf(Columns + ",gpu", "0,0,0,0 1,3") is { Line: 1, Field: "gpu" });
}
