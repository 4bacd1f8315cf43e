using MoESim.Cost;

namespace MoESim.Bench.Calibration;

/// <summary>
/// Kernel families the suite measures. Probe families are single kernels and the only ones
/// calibration fits on; composite families are predicted from the probe models and never fitted.
/// Gather and combine are separate families: on the CPU accelerator their cost follows the
/// threads each launches (one per gathered element, one per combined token element), which
/// relate differently to their bytes.
/// </summary>
public static class BenchFamilies
{
    public const string Gemm = "gemm";
    public const string Gemv = "gemv";
    public const string Stream = "stream";
    public const string SwiGluFfn = "swiglu_ffn";
    /// <summary>Dispatch within a device: copy each routed token's row into expert order.</summary>
    public const string Gather = "gather";
    /// <summary>Combine within a device: gate-weighted sum of each token's top-k expert rows.</summary>
    public const string Combine = "combine";
    public const string AttentionDecode = "attention_decode";
    /// <summary>Composite: grouped SwiGLU FFN over a skewed histogram, predicted expert by expert with the swiglu_ffn model.</summary>
    public const string GroupedFfn = "grouped_ffn";
    /// <summary>Composite: dispatch + grouped FFN + combine, predicted stage by stage.</summary>
    public const string MoeLayer = "moe_layer";

    /// <summary>Families calibration fits models for.</summary>
    public static readonly IReadOnlyList<string> Probes = new[] { Gemm, Gemv, Stream, SwiGluFfn, Gather, Combine, AttentionDecode };

    /// <summary>True for families that are never fitted.</summary>
    public static bool IsComposite(string family) => family is GroupedFfn or MoeLayer;

    /// <summary>Which model each simulator operator kind uses (attention prefill has none and keeps the static efficiency).</summary>
    public static readonly IReadOnlyDictionary<string, string> OperatorFamilies = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [OperatorKinds.AttentionProjection] = Gemm,
        [OperatorKinds.Router] = Gemm,
        [OperatorKinds.LmHead] = Gemm,
        [OperatorKinds.AttentionDecode] = AttentionDecode,
        [OperatorKinds.ExpertFfn] = SwiGluFfn,
        [OperatorKinds.SharedExpert] = SwiGluFfn,
        [OperatorKinds.DenseFfn] = SwiGluFfn,
    };
}
