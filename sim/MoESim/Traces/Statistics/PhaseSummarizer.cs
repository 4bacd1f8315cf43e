using System.Numerics;
using MoESim.Randomness;

namespace MoESim.Traces.Statistics;

/// <summary>Turns a phase's running counts into <see cref="PhaseStatistics"/>.</summary>
internal static class PhaseSummarizer
{
    public static PhaseStatistics Summarize(PhaseAccumulator a, int[] lfuSizes, TraceStatisticsOptions options)
    {
        var experts = a.Experts;
        var layers = new LayerStatistics[a.Layers];
        var selections = new long[a.Layers][];
        var counts = a.Counts();
        for (var l = 0; l < a.Layers; l++)
        {
            var loads = counts.AsSpan(l * experts, experts);
            selections[l] = loads.ToArray();
            long total = 0;
            foreach (var x in loads) total += x;
            double chance = 0;
            if (total > 0)
                foreach (var x in loads) chance += (double)x / total * x / total;
            chance *= a.TopK;
            var pairs = a.LocalityPairs[l];
            var reuse = pairs == 0 ? double.NaN : a.LocalityOverlap[l] / ((double)pairs * a.TopK);
            layers[l] = new LayerStatistics
            {
                Layer = l,
                Selections = total,
                MaxOverMean = LoadMeasures.MaxOverMean(loads),
                CoefficientOfVariation = LoadMeasures.CoefficientOfVariation(loads),
                Gini = LoadMeasures.Gini(loads),
                ZipfExponentEstimate = LoadMeasures.ZipfExponent(loads),
                LocalityPairs = pairs,
                ReuseRate = reuse,
                ChanceReuseRate = chance,
                LocalityExcess = chance >= 1 ? 0 : (reuse - chance) / (1 - chance),
            };
        }
        var lruSizes = Enumerable.Range(1, experts).ToArray();
        var lru = new double[experts];
        long cumulative = 0;
        for (var c = 0; c < experts; c++)
        {
            cumulative += a.ReuseDistance[c];
            lru[c] = a.CacheAccesses == 0 ? double.NaN : cumulative / (double)a.CacheAccesses;
        }
        var lfu = a.LfuHits.Select(h => a.CacheAccesses == 0 ? double.NaN : h / (double)a.CacheAccesses).ToArray();
        var (batchSizes, measured, independent) = DistinctVersusBatch(a, selections);
        var affinity = new LayerPairAffinity[Math.Max(0, a.Layers - 1)];
        for (var l = 0; l < affinity.Length; l++)
            affinity[l] = a.Coactivation[l]?.Measure(l, options.AffinityTopM) ?? AffinityMeasures.Measure(l, null, experts, options.AffinityTopM);
        var matrixLayer = Math.Clamp(options.MatrixLayer, 0, Math.Max(0, a.Layers - 2));
        return new PhaseStatistics
        {
            Phase = a.Name,
            Tokens = a.Tokens,
            SampledTokens = a.SampledTokens,
            Layers = layers,
            ExpertSelections = selections,
            LruCacheSizes = lruSizes,
            LruHitRate = lru,
            LfuCacheSizes = lfuSizes,
            LfuHitRate = lfu,
            ReuseDistance = a.ReuseDistance.ToArray(),
            BatchSizes = batchSizes,
            DistinctExpertsMeasured = measured,
            DistinctExpertsIndependent = independent,
            Affinity = affinity,
            AffinityMatrix = AffinityMeasures.Conditional(a.Layers > 1 ? a.Coactivation[matrixLayer]?.Counts() : null, experts),
        };
    }

    /// <summary>
    /// Batches of B = 1, 2, 4, ... tokens are disjoint groups of the reservoir in a seeded random
    /// order (so a batch mixes tokens of different requests and positions, as concurrent requests
    /// do); distinct experts per layer are averaged over batches and layers.
    /// </summary>
    /// <remarks>
    /// Per layer, each token's experts become a bit set in shuffled order; a batch of 2B is the
    /// union of two neighbouring batches of B, so every size comes from halving the number of
    /// sets with a bitwise OR and counting bits: O(tokens × E/64) per layer for all sizes.
    /// </remarks>
    private static (int[] Sizes, double[] Measured, double[] Independent) DistinctVersusBatch(PhaseAccumulator a, long[][] selections)
    {
        var filled = (int)Math.Min(a.ReservoirSeen, a.ReservoirCapacity);
        var sizes = new List<int>();
        for (var b = 1; b <= filled; b *= 2) sizes.Add(b);
        var order = Enumerable.Range(0, filled).ToArray();
        new SeededRandom(a.ReservoirRandom.Seed ^ 0x5EEDUL).Shuffle(order);
        var k = a.TopK;
        var words = (a.Experts + 63) / 64;
        var sets = new ulong[filled * words];
        var distinct = new long[sizes.Count];
        for (var l = 0; l < a.Layers; l++)
        {
            Array.Clear(sets);
            for (var i = 0; i < filled; i++)
                foreach (var e in a.Reservoir.AsSpan((order[i] * a.Layers + l) * k, k))
                    sets[i * words + (e >> 6)] |= 1UL << e;
            var count = filled;
            for (var i = 0; i < sizes.Count; i++)
            {
                // sets[0 .. count) are the batches of sizes[i]; the tail of an odd count is no whole batch.
                var whole = filled / sizes[i];
                long sum = 0;
                foreach (var w in sets.AsSpan(0, whole * words)) sum += BitOperations.PopCount(w);
                distinct[i] += sum;
                var halves = count / 2;
                for (var j = 0; j < halves; j++)
                    for (var w = 0; w < words; w++)
                        sets[j * words + w] = sets[2 * j * words + w] | sets[(2 * j + 1) * words + w];
                count = halves;
            }
        }
        var measured = new double[sizes.Count];
        var independent = new double[sizes.Count];
        for (var i = 0; i < sizes.Count; i++)
        {
            var b = sizes[i];
            measured[i] = distinct[i] / ((double)(filled / b) * a.Layers);
            double expected = 0;
            for (var l = 0; l < a.Layers; l++)
                foreach (var x in selections[l])
                    expected += 1 - Math.Pow(1 - Math.Min(1.0, x / (double)Math.Max(1, a.Tokens)), b);
            independent[i] = expected / a.Layers;
        }
        return (sizes.ToArray(), measured, independent);
    }
}
