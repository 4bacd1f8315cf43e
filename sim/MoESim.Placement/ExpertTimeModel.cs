using MoESim.Cost;

namespace MoESim.Placement;

/// <summary>
/// Expert compute time of one device in one MoE layer, as a roofline that stays linear in the
/// placement: max(token-expert pairs × <see cref="SecondsPerTokenPair"/>, resident expert copies
/// × <see cref="SecondsPerResidentExpert"/>). The second term assumes every copy on the device is
/// activated in the step (true for large decode batches), so its weights are read once.
/// </summary>
/// <param name="SecondsPerTokenPair">Math time of one token through one expert FFN, seconds, ≥ 0.</param>
/// <param name="SecondsPerResidentExpert">Time to read one expert's weights from device memory, seconds, ≥ 0.</param>
/// <param name="BytesPerToken">Bytes of one token's hidden state on the wire (hidden size × activation bytes), &gt; 0.</param>
public sealed record ExpertTimeModel(double SecondsPerTokenPair, double SecondsPerResidentExpert, double BytesPerToken)
{
    /// <summary>Derives the model from the cost model's expert FFN work on one device (calibrated efficiencies included, launch overhead left out).</summary>
    public static ExpertTimeModel From(ModelWork work, IOperatorTimeModel time)
    {
        const double sample = 1_000_000; // large enough that rounding inside the time model is negligible
        var ffn = work.ExpertFfn(BatchShape.Decode(1, 1), 0); // one token: top-k pairs
        var perPairFlops = ffn.Flops / work.Model.Moe!.TopK;
        var math = ffn with { Flops = perPairFlops * sample, WeightBytes = 0, ActivationBytes = 0, KvCacheBytes = 0, Kernels = 0 };
        var weights = ffn with { Flops = 0, WeightBytes = work.ExpertWeightBytes * sample, ActivationBytes = 0, KvCacheBytes = 0, Kernels = 0 };
        var bytesPerToken = work.Model.HiddenSize * Units.DataTypes.BytesPerElement(work.Model.DataTypes.Activations);
        return new ExpertTimeModel(time.Seconds(math) / sample, time.Seconds(weights) / sample, bytesPerToken);
    }
}
