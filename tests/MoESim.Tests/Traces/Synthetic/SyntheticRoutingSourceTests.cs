using MoESim.Traces;
using MoESim.Traces.Synthetic;
using static MoESim.Tests.Traces.Synthetic.GeneratorTestSupport;

namespace MoESim.Tests.Traces.Synthetic;

[TestFixture]
public class SyntheticRoutingSourceTests
{
    [Test]
    public void MemorylessConfigurationKeepsTheV1Router()
    {
        var source = SyntheticRoutingSource.Create(GenConfig(2, 8, 2, new RoutingPhaseParameters { ZipfExponent = 0.5 }));
        Assert.That(source, Is.InstanceOf<SyntheticRouter>());
        var v2 = SyntheticRoutingSource.Create(GenConfig(2, 8, 2, new RoutingPhaseParameters { ZipfExponent = 0.5, Locality = 0.2 }));
        Assert.That(v2, Is.InstanceOf<SyntheticRoutingSource>());
    }

    [Test]
    public void RouteCountsEveryTokensKDistinctExperts()
    {
        var source = new SyntheticRoutingSource(GenConfig(3, 16, 4, new RoutingPhaseParameters { ZipfExponent = 1, Locality = 0.5, Affinity = 0.7 }));
        var batch = new RoutingBatch();
        batch.Add(new SequenceSlice(0, 0, 20, IsPrefill: true));
        batch.Add(new SequenceSlice(1, 7, 1, IsPrefill: false));
        var counts = new int[3 * 16];
        var distinct = new int[3];
        source.Route(batch, counts, distinct);
        for (var l = 0; l < 3; l++)
        {
            var layer = counts.AsSpan(l * 16, 16).ToArray();
            Assert.That(layer.Sum(), Is.EqualTo(21 * 4));
            Assert.That(distinct[l], Is.EqualTo(layer.Count(c => c > 0)));
            Assert.That(layer, Has.All.InRange(0, 21), "an expert is used at most once per token");
        }
        var ids = new int[3 * 21 * 4];
        source.RouteTokens(batch, ids);
        for (var token = 0; token < 3 * 21; token++)
            Assert.That(ids.AsSpan(token * 4, 4).ToArray(), Is.Unique);
    }

    [Test]
    public void ARequestFirstSeenMidwayHasNoPreviousTokenToKeep()
    {
        // λ close to 1: had the empty state counted as a previous token, nearly every slot would
        // keep its expert 0 and a token's experts would repeat.
        var source = new SyntheticRoutingSource(GenConfig(2, 16, 4, new RoutingPhaseParameters { Locality = 0.98 }));
        var ids = new int[2 * 4];
        for (var request = 0; request < 50; request++)
        {
            var batch = new RoutingBatch();
            batch.Add(new SequenceSlice(request, 7, 1, IsPrefill: false));
            source.RouteTokens(batch, ids);
            for (var l = 0; l < 2; l++) Assert.That(ids.AsSpan(l * 4, 4).ToArray(), Is.Unique, $"request {request} layer {l}");
        }
    }

    [Test]
    public void LocalityCarriesAcrossIterationsOfARequest()
    {
        // λ close to 1: a request's next decode token keeps nearly every expert of its previous one.
        var source = new SyntheticRoutingSource(GenConfig(2, 64, 2, new RoutingPhaseParameters { Locality = 0.98 }));
        var previous = new int[2 * 2];
        var current = new int[2 * 2];
        var kept = 0;
        for (var position = 0; position < 50; position++)
        {
            var batch = new RoutingBatch();
            batch.Add(new SequenceSlice(5, position, 1, IsPrefill: false));
            source.RouteTokens(batch, current);
            if (position > 0)
                for (var l = 0; l < 2; l++) kept += current.AsSpan(l * 2, 2).ToArray().Intersect(previous.AsSpan(l * 2, 2).ToArray()).Count();
            current.CopyTo(previous, 0);
        }
        Assert.That(kept, Is.GreaterThan(0.9 * 49 * 4));
    }
}
