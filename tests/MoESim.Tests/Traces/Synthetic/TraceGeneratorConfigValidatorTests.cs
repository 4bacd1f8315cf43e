using MoESim.Config;
using MoESim.Traces.Synthetic;
using static MoESim.Tests.Traces.Synthetic.GeneratorTestSupport;

namespace MoESim.Tests.Traces.Synthetic;

[TestFixture]
public class TraceGeneratorConfigValidatorTests
{
    [Test]
    public void HistogramNeedsAtLeastTopKPossibleExperts()
    {
        // Top-2 of 8 with one expert of positive weight at layer 1: no token could take two.
        double[] ok = [1, 1, 0, 0, 0, 0, 0, 0];
        double[] one = [1, 0, 0, 0, 0, 0, 0, 0];
        var config = GenConfig(2, 8, 2, new RoutingPhaseParameters { Histogram = [ok, one] });
        var error = Assert.Throws<InputException>(() => TraceGeneratorConfigValidator.Validate(config, "params.json"))!;
        Assert.That(error.Message, Does.Contain("decode.histogram[1]").And.Contain("has 1 expert(s) of positive weight, fewer than top_k = 2"));
        Assert.That(error.Message, Does.Not.Contain("histogram[0]"));
        Assert.DoesNotThrow(() => TraceGeneratorConfigValidator.Validate(GenConfig(2, 8, 2, new RoutingPhaseParameters { Histogram = [ok, ok] }), "params.json"));
    }
}
