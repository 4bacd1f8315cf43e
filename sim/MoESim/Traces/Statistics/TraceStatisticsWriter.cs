using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MoESim.IO;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Writes <see cref="TraceStatistics"/> as stats.json (everything but the big matrices) and CSV
/// tables: layer_stats.csv, expert_popularity.csv, cache_hit_rate.csv, reuse_distance.csv,
/// distinct_experts_vs_batch.csv, affinity.csv and affinity_matrix.csv. All files atomic.
/// </summary>
public static class TraceStatisticsWriter
{
    /// <summary>Writes every file into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(TraceStatistics stats, string folder, string tracePath)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        void Add(string name, string text)
        {
            var path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, text);
            files.Add(path);
        }
        Add("stats.json", JsonSerializer.Serialize(new StatisticsFile(tracePath, stats), StatisticsJsonContext.Default.StatisticsFile));
        var inv = CultureInfo.InvariantCulture;
        var layer = new StringBuilder("phase,layer,selections,max_over_mean,coefficient_of_variation,gini,zipf_exponent_estimate,locality_pairs,reuse_rate,chance_reuse_rate,locality_excess\n");
        var popularity = new StringBuilder("phase,layer,expert,selections\n");
        var cache = new StringBuilder("phase,policy,cache_size_experts,hit_rate\n");
        var reuse = new StringBuilder("phase,reuse_distance,accesses\n");
        var batch = new StringBuilder("phase,batch_tokens,distinct_experts_measured,distinct_experts_independent\n");
        var affinity = new StringBuilder("phase,layer,next_layer,top_m_coverage,independent_coverage,excess_coverage,mutual_information_nats,independent_mutual_information_nats\n");
        var matrix = new StringBuilder("phase,layer,expert,next_expert,probability\n");
        foreach (var p in stats.Phases)
        {
            foreach (var l in p.Layers)
                layer.Append(inv, $"{p.Phase},{l.Layer},{l.Selections},{F(l.MaxOverMean)},{F(l.CoefficientOfVariation)},{F(l.Gini)},{F(l.ZipfExponentEstimate)},{l.LocalityPairs},{F(l.ReuseRate)},{F(l.ChanceReuseRate)},{F(l.LocalityExcess)}\n");
            for (var l = 0; l < p.ExpertSelections.Length; l++)
                for (var e = 0; e < p.ExpertSelections[l].Length; e++)
                    popularity.Append(inv, $"{p.Phase},{l},{e},{p.ExpertSelections[l][e]}\n");
            for (var i = 0; i < p.LruCacheSizes.Length; i++) cache.Append(inv, $"{p.Phase},lru,{p.LruCacheSizes[i]},{F(p.LruHitRate[i])}\n");
            for (var i = 0; i < p.LfuCacheSizes.Length; i++) cache.Append(inv, $"{p.Phase},lfu,{p.LfuCacheSizes[i]},{F(p.LfuHitRate[i])}\n");
            for (var d = 0; d < p.ReuseDistance.Length; d++)
                reuse.Append(inv, $"{p.Phase},{(d == p.ReuseDistance.Length - 1 ? "first_use" : d.ToString(inv))},{p.ReuseDistance[d]}\n");
            for (var i = 0; i < p.BatchSizes.Length; i++)
                batch.Append(inv, $"{p.Phase},{p.BatchSizes[i]},{F(p.DistinctExpertsMeasured[i])},{F(p.DistinctExpertsIndependent[i])}\n");
            foreach (var a in p.Affinity)
                affinity.Append(inv, $"{p.Phase},{a.Layer},{a.Layer + 1},{F(a.TopMCoverage)},{F(a.IndependentCoverage)},{F(a.ExcessCoverage)},{F(a.MutualInformationNats)},{F(a.IndependentMutualInformationNats)}\n");
            for (var a = 0; a < p.AffinityMatrix.Length; a++)
                for (var b = 0; b < p.AffinityMatrix[a].Length; b++)
                    if (p.AffinityMatrix[a][b] > 0) matrix.Append(inv, $"{p.Phase},{stats.Options.MatrixLayer},{a},{b},{F(p.AffinityMatrix[a][b])}\n");
        }
        Add("layer_stats.csv", layer.ToString());
        Add("expert_popularity.csv", popularity.ToString());
        Add("cache_hit_rate.csv", cache.ToString());
        Add("reuse_distance.csv", reuse.ToString());
        Add("distinct_experts_vs_batch.csv", batch.ToString());
        Add("affinity.csv", affinity.ToString());
        Add("affinity_matrix.csv", matrix.ToString());
        return files;
    }

    // A CSV number: G6, or nothing for NaN/∞. Formatted straight into the builder (no string per value).
    private static Csv6 F(double x) => new(x);

    private readonly struct Csv6(double value) : ISpanFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) => double.IsFinite(value) ? value.ToString("G6", CultureInfo.InvariantCulture) : "";

        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            if (double.IsFinite(value)) return value.TryFormat(destination, out charsWritten, "G6", CultureInfo.InvariantCulture);
            charsWritten = 0;
            return true;
        }
    }
}
