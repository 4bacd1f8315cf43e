using MoESim.Randomness;

namespace MoESim.Traces.Statistics;

/// <summary>Running counts of one phase; <see cref="TraceStatisticsCollector"/> feeds it and <see cref="PhaseSummarizer"/> reads it.</summary>
internal sealed class PhaseAccumulator
{
    public PhaseAccumulator(string name, TraceShape shape, int lfuSizeCount, int reservoirTokens, SeededRandom reservoirRandom)
    {
        Name = name;
        Layers = shape.NumMoeLayers;
        Experts = shape.NumExperts;
        TopK = shape.TopK;
        LaneCounts = new long[Layers * 4 * Experts];
        LocalityPairs = new long[Layers];
        LocalityOverlap = new long[Layers];
        ReuseDistance = new long[Experts + 1];
        LfuHits = new long[lfuSizeCount];
        Coactivation = new int[Math.Max(0, Layers - 1)][];
        Reservoir = new int[reservoirTokens * Layers * TopK];
        ReservoirCapacity = reservoirTokens;
        ReservoirRandom = reservoirRandom;
    }

    public string Name { get; }
    public int Layers { get; }
    public int Experts { get; }
    public int TopK { get; }
    public long[] LaneCounts { get; }       // [(layer * 4 + lane) * experts + expert], all requests

    /// <summary>Selections per [layer * experts + expert]: the four lanes summed.</summary>
    public long[] Counts()
    {
        var counts = new long[Layers * Experts];
        for (var l = 0; l < Layers; l++)
            for (var lane = 0; lane < 4; lane++)
                for (var e = 0; e < Experts; e++)
                    counts[l * Experts + e] += LaneCounts[(l * 4 + lane) * Experts + e];
        return counts;
    }
    public long Tokens { get; set; }
    public long SampledTokens { get; set; }
    public long[] LocalityPairs { get; }
    public long[] LocalityOverlap { get; }  // Σ |S_t ∩ S_{t-1}| per layer
    public long[] ReuseDistance { get; }
    public long[] LfuHits { get; }
    public long CacheAccesses { get; set; }
    public int[][] Coactivation { get; }    // [layer][e * experts + e'], allocated on first use
    public int[] Reservoir { get; }         // [slot][layer][k]
    public int ReservoirCapacity { get; }
    public long ReservoirSeen { get; private set; }
    public SeededRandom ReservoirRandom { get; }

    /// <summary>Offers one sampled token (its experts at layer l sit at ids[(l × tokens + t) × k]) to the uniform reservoir (Algorithm R).</summary>
    public void OfferToReservoir(ReadOnlySpan<int> ids, int tokens, int t)
    {
        long slot;
        if (ReservoirSeen < ReservoirCapacity) slot = ReservoirSeen;
        else
        {
            slot = (long)(ReservoirRandom.NextDouble() * (ReservoirSeen + 1));
            if (slot >= ReservoirCapacity) { ReservoirSeen++; return; }
        }
        ReservoirSeen++;
        var k = TopK;
        var target = Reservoir.AsSpan((int)slot * Layers * k, Layers * k);
        for (var l = 0; l < Layers; l++)
            ids.Slice((l * tokens + t) * k, k).CopyTo(target.Slice(l * k, k));
    }

    /// <summary>The co-activation counts of pair (l, l+1), allocated on first use.</summary>
    public int[] CoactivationOf(int layer) => Coactivation[layer] ??= new int[Experts * Experts];
}
