using MoESim.Hardware;
using MoESim.Models;
using MoESim.Units;

namespace MoESim.Tests.Cost;

/// <summary>Models and devices with published or round numbers, built in code for hand calculations.</summary>
internal static class CostTestModels
{
    /// <summary>Mixtral-8x7B shape from its config.json (bf16).</summary>
    public static ModelConfig Mixtral(DataType weights = DataType.Bf16) => new()
    {
        Name = "mixtral-8x7b",
        HiddenSize = 4096,
        NumLayers = 32,
        VocabSize = 32000,
        Attention = new AttentionConfig { Kind = AttentionKind.Gqa, NumHeads = 32, NumKvHeads = 8, HeadDim = 128 },
        DenseIntermediateSize = 0,
        Moe = new MoeConfig { NumExperts = 8, TopK = 2, ExpertIntermediateSize = 14336 },
        DataTypes = new ModelDataTypes { Weights = weights, Activations = DataType.Bf16, KvCache = DataType.Bf16 },
    };

    /// <summary>DeepSeek-V3 shape from its config.json.</summary>
    public static ModelConfig DeepSeekV3() => new()
    {
        Name = "deepseek-v3",
        HiddenSize = 7168,
        NumLayers = 61,
        VocabSize = 129280,
        Attention = new AttentionConfig
        {
            Kind = AttentionKind.Mla, NumHeads = 128, NumKvHeads = 128, HeadDim = 0,
            QLoraRank = 1536, KvLoraRank = 512, QkNopeHeadDim = 128, QkRopeHeadDim = 64, VHeadDim = 128,
        },
        DenseIntermediateSize = 18432,
        Moe = new MoeConfig
        {
            NumExperts = 256, TopK = 8, ExpertIntermediateSize = 2048, NumSharedExperts = 1, SharedExpertIntermediateSize = 2048, FirstMoeLayer = 3,
        },
        DataTypes = new ModelDataTypes { Weights = DataType.Fp8, Activations = DataType.Bf16, KvCache = DataType.Bf16 },
    };

    /// <summary>A device with round numbers: 100 TFLOP/s bf16, 200 fp8, 1 TB/s, no overheads, efficiency 1.</summary>
    public static DeviceProfile RoundDevice(double computeEfficiency = 1, double memoryEfficiency = 1, double launchSeconds = 0) => new()
    {
        Name = "round",
        Kind = DeviceKind.Gpu,
        PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 100e12, [DataType.Fp8] = 200e12 },
        MemoryTiers = new[] { new MemoryTier { Name = "hbm", CapacityBytes = 100e9, BandwidthBytesPerSecond = 1e12 } },
        HostLink = new HostLink { Name = "pcie", BandwidthBytesPerSecondPerDirection = 32e9, LatencySeconds = 0 },
        KernelLaunchOverheadSeconds = launchSeconds,
        PowerWatts = 700,
        PricePerHourUsd = 1,
        DefaultEfficiency = new Efficiency { Compute = computeEfficiency, Memory = memoryEfficiency },
        OperatorEfficiency = new Dictionary<string, Efficiency>(),
    };
}
