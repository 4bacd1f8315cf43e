using MoESim.Hardware;
using MoESim.Models;
using MoESim.Units;

namespace MoESim.Tests.Serving;

/// <summary>
/// Tiny models and ideal devices whose pass times are hand calculations.
/// </summary>
/// <remarks>
/// <para><b>TinyDense</b>: hidden h = 4, 2 layers, vocabulary 16, MHA with 1 head of dimension 4,
/// dense SwiGLU FFN width 8, fp32 everywhere. Closed forms (ModelWork conventions):</para>
/// <list type="bullet">
/// <item>attention weights per layer A = h·d·(2·heads + 2·kvHeads) = 4·4·4 = 64</item>
/// <item>FFN weights per layer 3·h·I = 3·4·8 = 96; LM head h·V = 64</item>
/// <item>all parameters: 2·(64 + 96 + 2·4) + 2·64 (untied embeddings) + 4 = 468 -> 1872 bytes</item>
/// <item>KV cache per token: 2·kvHeads·d·layers·4 B = 2·1·4·2·4 = 64 bytes</item>
/// <item>FLOPs of a pass with T tokens, causal prefill pairs P, decode context C, O output rows:
///   2 layers × (2T·64 projections + 2T·96 FFN + heads·4d·(P + C) attention) + 2·O·64 LM head
///   = 640·T + 32·(P + C) + 128·O</item>
/// </list>
/// <para>On <see cref="ComputeBoundDevice"/> (1e6 FLOP/s, 1e30 B/s, efficiency 1, no launch
/// overhead) a pass takes FLOPs / 1e6 seconds, e.g. a whole 8-token prompt:
/// 640·8 + 32·36 + 128·1 = 6400 FLOP = 6.4 ms.</para>
/// <para><b>TinyMoe</b>: as TinyDense but both layers MoE with 8 experts, top-2, expert width 8,
/// bf16 weights: one expert is 3·4·8 = 96 elements = 192 bytes.</para>
/// </remarks>
internal static class TestModels
{
    public const double DenseWeightBytes = 1872;
    public const double DenseKvBytesPerToken = 64;

    public static ModelConfig TinyDense() => new()
    {
        Name = "tiny-dense",
        HiddenSize = 4,
        NumLayers = 2,
        VocabSize = 16,
        Attention = new AttentionConfig { Kind = AttentionKind.Mha, NumHeads = 1, NumKvHeads = 1, HeadDim = 4 },
        DenseIntermediateSize = 8,
        DataTypes = new ModelDataTypes { Weights = DataType.Fp32, Activations = DataType.Fp32, KvCache = DataType.Fp32 },
    };

    public static ModelConfig TinyMoe() => new()
    {
        Name = "tiny-moe",
        HiddenSize = 4,
        NumLayers = 2,
        VocabSize = 16,
        Attention = new AttentionConfig { Kind = AttentionKind.Mha, NumHeads = 1, NumKvHeads = 1, HeadDim = 4 },
        DenseIntermediateSize = 0,
        Moe = new MoeConfig { NumExperts = 8, TopK = 2, ExpertIntermediateSize = 8 },
        DataTypes = new ModelDataTypes { Weights = DataType.Bf16, Activations = DataType.Bf16, KvCache = DataType.Bf16 },
    };

    public static DeviceProfile Device(double capacityBytes, double peakFlopsPerSecond, double bandwidthBytesPerSecond) => new()
    {
        Name = "ideal",
        Kind = DeviceKind.Gpu,
        PeakFlopsPerSecond = new Dictionary<DataType, double>
        {
            [DataType.Fp32] = peakFlopsPerSecond,
            [DataType.Bf16] = peakFlopsPerSecond,
        },
        MemoryTiers = new[] { new MemoryTier { Name = "hbm", CapacityBytes = capacityBytes, BandwidthBytesPerSecond = bandwidthBytesPerSecond } },
        HostLink = new HostLink { Name = "none", BandwidthBytesPerSecondPerDirection = 1e9, LatencySeconds = 0 },
        KernelLaunchOverheadSeconds = 0,
        PowerWatts = 1,
        PricePerHourUsd = 1,
        DefaultEfficiency = new Efficiency { Compute = 1, Memory = 1 },
        OperatorEfficiency = new Dictionary<string, Efficiency>(),
    };

    /// <summary>1e6 FLOP/s and practically infinite bandwidth: a pass takes FLOPs / 1e6 s.</summary>
    public static DeviceProfile ComputeBoundDevice(double capacityBytes = 1e6) => Device(capacityBytes, 1e6, 1e30);

    /// <summary>Practically infinite FLOP/s and 1e6 B/s: a pass takes bytes / 1e6 s.</summary>
    public static DeviceProfile MemoryBoundDevice(double capacityBytes = 1e6) => Device(capacityBytes, 1e30, 1e6);
}
