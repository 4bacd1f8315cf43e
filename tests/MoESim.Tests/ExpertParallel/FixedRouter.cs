using MoESim.Traces;

namespace MoESim.Tests.ExpertParallel;

/// <summary>A routing source that sends every token of MoE layer l to the same k experts, <c>experts[l]</c>.</summary>
internal sealed class FixedRouter(int numExperts, int[][] experts) : IRoutingSource
{
    public int NumMoeLayers => experts.Length;
    public int NumExperts => numExperts;
    public int TopK => experts[0].Length;
    public string Description => "fixed";

    public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
    {
        expertTokenCounts.Clear();
        for (int l = 0; l < NumMoeLayers; l++)
        {
            foreach (int e in experts[l]) expertTokenCounts[l * numExperts + e] += (int)batch.Tokens;
            distinctExperts[l] = batch.Tokens > 0 ? TopK : 0;
        }
    }

    public void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts)
    {
        for (int l = 0; l < NumMoeLayers; l++) distinctExperts[l] = batch.Tokens > 0 ? TopK : 0;
    }

    public void RouteTokens(RoutingBatch batch, Span<int> expertIds)
    {
        int tokens = (int)batch.Tokens;
        for (int l = 0; l < NumMoeLayers; l++)
            for (int t = 0; t < tokens; t++)
                experts[l].CopyTo(expertIds.Slice((l * tokens + t) * TopK, TopK));
    }
}
