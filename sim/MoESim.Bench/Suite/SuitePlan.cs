using MoESim.Bench.Calibration;
using MoESim.Bench.Cases;
using MoESim.Bench.Kernels;
using MoESim.Models;

namespace MoESim.Bench.Suite;

/// <summary>
/// The shape grid: GEMM/GEMV over the models' expert and attention projections (N, K) with
/// M = 1, 2, 4, ... tokens per expert; streaming sizes; one expert's SwiGLU FFN; grouped FFN
/// and whole MoE layers over skewed routings; gather/combine; decode attention. FLOPs and bytes
/// follow the simulator's conventions (fp32, 4 bytes per element; a fused attention kernel moves
/// only Q, K, V and O). Within each family every other case is held out from fitting.
/// </summary>
public static class SuitePlan
{
    private const double Bytes = 4; // fp32
    private const double ZipfExponent = 1.2;

    /// <summary>Plans the suite for <paramref name="models"/> (at least one) at <paramref name="settings"/>; <paramref name="tiledGemm"/> picks the shared-memory GEMM (GPUs); <paramref name="streamThreads"/> is the fixed thread count of the grid-stride stream kernels.</summary>
    public static IReadOnlyList<CaseSpec> Build(IReadOnlyList<ModelConfig> models, SuiteSettings settings, bool tiledGemm, int streamThreads = 0)
    {
        if (models.Count == 0) throw new ArgumentException("the suite needs at least one model for its shapes", nameof(models));
        var d = settings.DimensionDivisor;
        var quick = settings.Size == SuiteSize.Quick;
        var specs = new List<CaseSpec>();
        var ms = PowersOfTwo(1, settings.MaxTokens);

        // GEMM (N, K) pairs: expert gate/up and down, attention Q and KV projections, per model.
        var pairs = new List<(int N, int K, string Source)>();
        foreach (var m in models)
        {
            var h = Dim(m.HiddenSize, d);
            var inter = Dim(m.Moe?.ExpertIntermediateSize ?? m.DenseIntermediateSize, d);
            var att = m.Attention;
            var headDim = att.HeadDim > 0 ? att.HeadDim : att.VHeadDim;
            Add(pairs, inter, h, m.Name + " gate/up");
            Add(pairs, h, inter, m.Name + " down");
            Add(pairs, Dim(att.NumHeads * headDim, d), h, m.Name + " q");
            if (att.NumKvHeads > 0) Add(pairs, Dim(att.NumKvHeads * headDim, d), h, m.Name + " kv");
        }
        var gemvPairs = quick ? Spread(pairs, 8) : pairs;
        if (quick) pairs = Spread(pairs, 4);

        var gemm = new List<CaseSpec>();
        foreach (var (n, k, source) in pairs)
        {
            foreach (var mTokens in ms)
            {
                var (mm, nn, kk) = (mTokens, n, k);
                var tiled = tiledGemm;
                gemm.Add(Spec(BenchFamilies.Gemm, tiled ? "tiled" : "naive", $"M={mm} N={nn} K={kk} ({source})",
                    new[] { new WorkComponent(BenchFamilies.Gemm, 2.0 * mm * nn * kk, Bytes * ((double)mm * kk + (double)kk * nn + (double)mm * nn), 1, (double)mm * nn) },
                    Bytes * ((double)mm * kk + (double)kk * nn + (double)mm * nn),
                    (ks, seed) => new GemmCase(ks, seed, mm, nn, kk, tiled)));
            }
        }
        specs.AddRange(Alternate(gemm));

        specs.AddRange(Alternate(gemvPairs.Select(p => Spec(BenchFamilies.Gemv, "naive", $"N={p.N} K={p.K} ({p.Source})",
            new[] { new WorkComponent(BenchFamilies.Gemv, 2.0 * p.N * p.K, Bytes * ((double)p.N * p.K + p.N + p.K), 1, p.N) },
            Bytes * ((double)p.N * p.K + p.N + p.K), (ks, seed) => new GemvCase(ks, seed, p.N, p.K))).ToList()));

        var stream = new List<CaseSpec>();
        var maxLog = quick ? 21 : settings.Size == SuiteSize.Medium ? 24 : 28;
        for (var log = 14; log <= maxLog; log++)
        {
            foreach (var op in Enum.GetValues<StreamOp>())
            {
                var elements = 1L << log;
                var moved = Bytes * elements * (op == StreamOp.Copy ? 2 : 1);
                stream.Add(Spec(BenchFamilies.Stream, op.ToString().ToLowerInvariant(), $"elements={elements}",
                    new[] { new WorkComponent(BenchFamilies.Stream, 0, moved, 1, streamThreads) }, Bytes * elements * 2, (ks, seed) => new StreamCase(ks, seed, op, elements)));
            }
        }
        specs.AddRange(Alternate(stream));

        var moeModels = models.Where(m => m.Moe is not null).ToList();
        var swiglu = new List<CaseSpec>();
        var swigluShapes = new HashSet<(int, int)>();
        foreach (var m in moeModels.Count > 0 ? moeModels : models.Take(1).ToList())
        {
            var h = Dim(m.HiddenSize, d);
            var inter = Dim(m.Moe?.ExpertIntermediateSize ?? m.DenseIntermediateSize, d);
            if (!swigluShapes.Add((h, inter))) continue; // two models with one expert shape time the same kernel
            foreach (var mTokens in ms)
            {
                var mm = mTokens;
                var work = SwiGluWork(mm, 1, h, inter);
                swiglu.Add(Spec(BenchFamilies.SwiGluFfn, m.Name, $"M={mm} H={h} I={inter}", new[] { work },
                    Bytes * (3.0 * h * inter + mm * (2.0 * h + 3.0 * inter)), (ks, seed) => new SwiGluCase(ks, seed, mm, h, inter)));
            }
        }
        specs.AddRange(Alternate(swiglu));

        var gather = new List<CaseSpec>();
        var combine = new List<CaseSpec>();
        var composites = new List<CaseSpec>();
        var tokenCounts = quick ? new[] { 1, 2, 4, 8, 16, 32 } : new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024 };
        var compositeTokens = quick ? new[] { 1, 3, 6, 12 } : new[] { 1, 3, 12, 48, 192, 768 };
        ulong routingSeed = 1;
        var moeShapes = new HashSet<(int, int, int, int)>();
        foreach (var m in moeModels)
        {
            var moe = m.Moe!;
            var h = Dim(m.HiddenSize, d);
            var inter = Dim(moe.ExpertIntermediateSize, d);
            var experts = Math.Min(moe.NumExperts, quick ? 16 : 64);
            var topK = Math.Min(moe.TopK, experts);
            if (!moeShapes.Add((h, inter, experts, topK))) continue;
            foreach (var tokens in tokenCounts.Union(compositeTokens).Order())
            {
                var routing = new SkewedRouting(tokens, topK, experts, ZipfExponent, routingSeed++);
                var rows = routing.Rows;
                var histogram = $"T={tokens} E={experts} k={topK} H={h} I={inter} tokens/expert={routing.HistogramText}";
                var gatherWork = new WorkComponent(BenchFamilies.Gather, 0, Bytes * 2.0 * rows * h + 4.0 * rows, 1, streamThreads);
                var combineWork = new WorkComponent(BenchFamilies.Combine, 2.0 * rows * h, Bytes * ((double)rows * h + (double)tokens * h + rows) + 4.0 * rows, 1, streamThreads);
                if (tokenCounts.Contains(tokens))
                {
                    gather.Add(Spec(BenchFamilies.Gather, m.Name, $"T={tokens} k={topK} H={h}", new[] { gatherWork },
                        Bytes * (rows + (double)tokens) * h, (ks, seed) => new GatherCase(ks, seed, routing, h)));
                    combine.Add(Spec(BenchFamilies.Combine, m.Name, $"T={tokens} k={topK} H={h}", new[] { combineWork },
                        Bytes * (rows + (double)tokens) * h, (ks, seed) => new CombineCase(ks, seed, routing, h)));
                }
                if (!compositeTokens.Contains(tokens)) continue;
                var ffnWork = ExpertByExpert(routing, h, inter);
                var ffnAlloc = Bytes * (3.0 * experts * h * inter + rows * (2.0 * h + 3.0 * inter) + (double)tokens * h);
                composites.Add(Spec(BenchFamilies.GroupedFfn, m.Name, histogram, ffnWork, ffnAlloc,
                    (ks, seed) => new GroupedFfnCase(ks, seed, routing, h, inter, withDispatch: false)) with { Fit = false });
                composites.Add(Spec(BenchFamilies.MoeLayer, m.Name, histogram, ffnWork.Prepend(gatherWork).Append(combineWork).ToList(), ffnAlloc + Bytes * rows * h,
                    (ks, seed) => new GroupedFfnCase(ks, seed, routing, h, inter, withDispatch: true)) with { Fit = false });
            }
        }
        specs.AddRange(Alternate(combine));
        specs.AddRange(Alternate(gather));

        var attention = new List<CaseSpec>();
        var batches = quick ? new[] { 1, 2, 4 } : new[] { 1, 4, 16, 64 };
        var contexts = quick ? new[] { 32, 64, 128, 256 } : new[] { 256, 1024, 4096, 16384 };
        // The kernel is grouped-query attention with one head size for K and V; MLA models
        // (DeepSeek-V3: head_dim 0, latent KV) would need the absorbed-latent kernel, not built.
        foreach (var m in models.Where(m => m.Attention.NumKvHeads > 0 && m.Attention.HeadDim > 0).Take(quick ? 1 : 3))
        {
            var att = m.Attention;
            var heads = Math.Max(1, att.NumHeads / (quick ? 4 : 1));
            var kvHeads = Math.Max(1, att.NumKvHeads / (quick ? 4 : 1));
            var headDim = quick ? 64 : att.HeadDim;
            foreach (var b in batches)
            {
                foreach (var l in contexts)
                {
                    var shape = new AttentionShape(b, heads, kvHeads, headDim, l);
                    var kv = 2.0 * b * l * kvHeads * headDim * Bytes;
                    var work = new WorkComponent(BenchFamilies.AttentionDecode, 4.0 * headDim * heads * (double)b * l, kv + 2.0 * b * heads * headDim * Bytes, 3,
                        (double)b * heads * (l + 1 + headDim));
                    attention.Add(Spec(BenchFamilies.AttentionDecode, m.Name, $"B={b} L={l} heads={heads}/{kvHeads} D={headDim}", new[] { work },
                        kv + Bytes * b * heads * ((double)l + 2 * headDim), (ks, seed) => new AttentionDecodeCase(ks, seed, shape)));
                }
            }
        }
        specs.AddRange(Alternate(attention));
        specs.AddRange(composites);
        return specs;
    }

    /// <summary>
    /// The grouped FFN's work expert by expert: each active expert's tokens as one SwiGLU FFN
    /// reading that expert's weights. The grouped kernels launch once per stage, so the first
    /// expert carries the 3 launches and the others none.
    /// </summary>
    private static WorkComponent[] ExpertByExpert(SkewedRouting routing, int h, int inter)
    {
        var parts = new List<WorkComponent>();
        foreach (var count in routing.TokensPerExpert.Where(c => c > 0))
            parts.Add(SwiGluWork(count, 1, h, inter) with { Kernels = parts.Count == 0 ? 3 : 0 });
        return parts.ToArray();
    }

    /// <summary>Up to <paramref name="count"/> of <paramref name="pairs"/> spread evenly over their size N·K (log-spaced when sizes are).</summary>
    private static List<(int N, int K, string Source)> Spread(List<(int N, int K, string Source)> pairs, int count)
    {
        var sorted = pairs.OrderBy(p => (long)p.N * p.K).ThenBy(p => p.N).ToList();
        if (sorted.Count <= count) return sorted;
        return Enumerable.Range(0, count).Select(j => sorted[(int)Math.Round(j * (sorted.Count - 1) / (double)(count - 1))]).Distinct().ToList();
    }

    /// <summary>SwiGLU work as the simulator counts it: 2 FLOPs per multiply-add over 3·H·I weights per token, weights of the active experts read once, activations 2H + 3I per token.</summary>
    private static WorkComponent SwiGluWork(int tokens, int activeExperts, int h, int inter) =>
        new(BenchFamilies.SwiGluFfn, 2.0 * tokens * 3.0 * h * inter, Bytes * (activeExperts * 3.0 * h * inter + tokens * (2.0 * h + 3.0 * inter)), 3,
            (double)tokens * (2.0 * inter + h)); // gate/up and activation: one thread per intermediate element; down: one per output

    private static CaseSpec Spec(string family, string variant, string shape, IReadOnlyList<WorkComponent> work, double allocated, Func<KernelSet, ulong, BenchCase> create) =>
        new() { Family = family, Variant = variant, Shape = shape, Components = work, Fit = true, AllocatedBytes = allocated, Create = create };

    /// <summary>Every other case of each variant of a family is held out from fitting (the first, third, ... are fitted).</summary>
    private static IEnumerable<CaseSpec> Alternate(IReadOnlyList<CaseSpec> family)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in family)
        {
            var i = seen.GetValueOrDefault(s.Variant);
            seen[s.Variant] = i + 1;
            yield return s with { Fit = i % 2 == 0 };
        }
    }

    private static void Add(List<(int, int, string)> pairs, int n, int k, string source)
    {
        if (!pairs.Any(p => p.Item1 == n && p.Item2 == k)) pairs.Add((n, k, source));
    }

    /// <summary>A model dimension scaled down by <paramref name="divisor"/>, a multiple of 16 and at least 32.</summary>
    public static int Dim(int value, int divisor) => Math.Max(32, (int)Math.Round(value / (double)divisor / 16.0) * 16);

    private static int[] PowersOfTwo(int from, int to)
    {
        var list = new List<int>();
        for (var v = from; v <= to; v *= 2) list.Add(v);
        return list.ToArray();
    }
}
