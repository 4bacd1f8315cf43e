using MoESim.Randomness;

namespace MoESim.Bench.Cases;

/// <summary>
/// A router's decision for one MoE layer: each of <see cref="Tokens"/> tokens picks
/// <see cref="TopK"/> distinct experts with Zipf-skewed probability ∝ 1/(rank+1)^s, so a few
/// experts get most tokens, as real routers do. Token slots are sorted by expert (the layout
/// grouped kernels consume).
/// </summary>
public sealed class SkewedRouting
{
    public SkewedRouting(int tokens, int topK, int experts, double zipfExponent, ulong seed)
    {
        if (topK > experts) throw new ArgumentException("top-k exceeds the number of experts", nameof(topK));
        (Tokens, TopK, Experts) = (tokens, topK, experts);
        var random = new SeededRandom(seed);
        var weights = new double[experts];
        for (var e = 0; e < experts; e++) weights[e] = 1 / Math.Pow(e + 1, zipfExponent);
        var pairExpert = new int[tokens * topK];
        GateWeights = new float[tokens * topK];
        var chosen = new bool[experts];
        for (var t = 0; t < tokens; t++)
        {
            Array.Clear(chosen);
            var remaining = weights.Sum();
            for (var j = 0; j < topK; j++)
            {
                var u = random.NextDouble() * remaining;
                var e = 0;
                for (; e < experts - 1; e++)
                {
                    if (chosen[e]) continue;
                    if (u < weights[e]) break;
                    u -= weights[e];
                }
                while (chosen[e]) e--; // rounding at the tail: fall back to the last free expert
                chosen[e] = true;
                remaining -= weights[e];
                pairExpert[t * topK + j] = e;
                GateWeights[t * topK + j] = (float)(0.5 + random.NextDouble()) / topK;
            }
        }
        TokensPerExpert = new int[experts];
        foreach (var e in pairExpert) TokensPerExpert[e]++;
        var order = Enumerable.Range(0, pairExpert.Length).OrderBy(p => pairExpert[p]).ThenBy(p => p).ToArray();
        SourceToken = new int[order.Length];
        ExpertOfRow = new int[order.Length];
        SlotOfPair = new int[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            SourceToken[r] = order[r] / topK;
            ExpertOfRow[r] = pairExpert[order[r]];
            SlotOfPair[order[r]] = r;
        }
    }

    public int Tokens { get; }
    public int TopK { get; }
    public int Experts { get; }

    /// <summary>Token-expert pairs (rows of the grouped GEMM) = tokens × top-k.</summary>
    public int Rows => Tokens * TopK;

    /// <summary>Tokens each expert receives (the skewed histogram).</summary>
    public int[] TokensPerExpert { get; }

    /// <summary>Experts with at least one token (their weights are read).</summary>
    public int ActiveExperts => TokensPerExpert.Count(c => c > 0);

    /// <summary>Row r of the sorted buffer comes from this token.</summary>
    public int[] SourceToken { get; }

    /// <summary>Expert of sorted row r.</summary>
    public int[] ExpertOfRow { get; }

    /// <summary>Sorted row of pair t·k + j.</summary>
    public int[] SlotOfPair { get; }

    /// <summary>Gate weight of pair t·k + j.</summary>
    public float[] GateWeights { get; }

    /// <summary>Histogram as text, largest first, e.g. "9,5,2,0".</summary>
    public string HistogramText => string.Join(",", TokensPerExpert.OrderDescending());
}
