using System.Runtime.CompilerServices;
using System.Numerics;
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
        Selections = new SelectionCounter(Layers, Experts, TopK);
        LocalityPairs = new long[Layers];
        LocalityOverlap = new long[Layers];
        ReuseDistance = new long[Experts + 1];
        LfuHits = new long[lfuSizeCount];
        Coactivation = new CoactivationMatrix?[Math.Max(0, Layers - 1)];
        Reservoir = new ushort[reservoirTokens * Layers * TopK];
        ReservoirCapacity = reservoirTokens;
        ReservoirRandom = reservoirRandom;
    }

    public string Name { get; }
    public int Layers { get; }
    public int Experts { get; }
    public int TopK { get; }
    public SelectionCounter Selections { get; } // all requests

    /// <summary>Selections per [layer * experts + expert].</summary>
    public long[] Counts() => Selections.Totals();
    public long Tokens { get; set; }
    public long SampledTokens { get; set; }
    public long[] LocalityPairs { get; }
    public long[] LocalityOverlap { get; }  // Σ |S_t ∩ S_{t-1}| per layer
    public long[] ReuseDistance { get; }
    public long[] LfuHits { get; }
    public long CacheAccesses { get; set; }
    public CoactivationMatrix?[] Coactivation { get; } // [layer], allocated on first use
    public ushort[] Reservoir { get; }      // [slot][layer][k]
    public int ReservoirCapacity { get; }
    public long ReservoirSeen { get; private set; }
    public SeededRandom ReservoirRandom { get; }

    /// <summary>Offers one sampled token (its experts at layer l sit at ids[(l × tokens + t) × k]) to the uniform reservoir (Algorithm R).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OfferToReservoir<T>(ReadOnlySpan<T> ids, int tokens, int t) where T : unmanaged, IBinaryInteger<T>
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
        {
            var source = ids.Slice((l * tokens + t) * k, k);
            for (var j = 0; j < k; j++) target[l * k + j] = ushort.CreateTruncating(source[j]);
        }
    }

    /// <summary>The co-activation counts of pair (l, l+1), allocated on first use.</summary>
    public CoactivationMatrix CoactivationOf(int layer) => Coactivation[layer] ??= new CoactivationMatrix(Experts);
}
