using MoESim.Cost;
using MoESim.Units;

namespace MoESim.Tests.Cost;

[TestFixture]
public class ModelWorkTests
{
    private const double Tol = 1e-12;

    [Test]
    public void Mixtral_KvCacheBytesPerToken_IsLayersTimesKAndVTimesKvHeadsTimesHeadDim()
    {
        // 32 layers x 2 (K and V) x 8 KV heads x 128 dims x 2 bytes = 131,072 bytes.
        var work = new ModelWork(CostTestModels.Mixtral());
        Assert.That(work.KvCacheBytesPerToken, Is.EqualTo(131072).Within(Tol).Percent);
    }

    [Test]
    public void DeepSeekV3_MlaCachesLatentPlusRopePerToken()
    {
        // MLA caches kv_lora_rank + qk_rope_head_dim = 512 + 64 = 576 elements per layer;
        // 576 x 61 layers x 2 bytes (bf16) = 70,272 bytes per token.
        var work = new ModelWork(CostTestModels.DeepSeekV3());
        Assert.That(work.KvCacheBytesPerToken, Is.EqualTo(70272).Within(Tol).Percent);
    }

    [Test]
    public void Mixtral_TotalParameters_MatchesPublished46Point7Billion()
    {
        // Mistral AI publishes 46.7B total parameters for Mixtral-8x7B.
        var work = new ModelWork(CostTestModels.Mixtral());
        Assert.That(work.TotalParameters, Is.EqualTo(46.7e9).Within(0.5).Percent);
    }

    [Test]
    public void Mixtral_ActiveParameters_ByHand()
    {
        // Per layer: attention 41,943,040 + router 4096 x 8 + 2 experts x 3 x 4096 x 14336
        // + 2 norms x 4096 = 394,305,536; x 32 layers = 12,617,777,152; plus the final norm 4096
        // and the untied embedding and LM head 2 x 32000 x 4096 = 262,144,000 -> 12,879,925,248.
        var work = new ModelWork(CostTestModels.Mixtral());
        Assert.That(work.ActiveParametersIncludingInputEmbedding, Is.EqualTo(12_879_925_248.0).Within(Tol).Percent);
        Assert.That(work.ActiveParametersExcludingInputEmbedding, Is.EqualTo(12_879_925_248.0 - 131_072_000).Within(Tol).Percent);
    }

    [Test]
    public void DenseModel_ActiveParametersIncludingInputEmbedding_EqualTotal_ByHand()
    {
        // With no routed experts every parameter is used by every token, so both are the hand count of the
        // dense model (Mixtral's shapes with one 14336-wide FFN per layer, i.e. Mistral-7B, published as 7.24B):
        //   attention per layer: Wq 4096x4096 + Wk 4096x1024 + Wv 4096x1024 + Wo 4096x4096 = 41,943,040
        //   FFN per layer: gate, up, down 3 x 4096 x 14336 = 176,160,768
        //   norms per layer: 2 x 4096 = 8,192 -> 218,112,000 per layer x 32 layers = 6,979,584,000
        //   input embedding 32000 x 4096 = 131,072,000 + untied LM head 131,072,000 = 262,144,000
        //   final norm 4,096 -> 6,979,584,000 + 262,144,000 + 4,096 = 7,241,732,096.
        var work = new ModelWork(CostTestModels.Mixtral() with { Moe = null, DenseIntermediateSize = 14336 });
        Assert.That(work.TotalParameters, Is.EqualTo(7_241_732_096.0).Within(Tol).Percent);
        Assert.That(work.ActiveParametersIncludingInputEmbedding, Is.EqualTo(7_241_732_096.0).Within(Tol).Percent);
    }

    [Test]
    public void TiedEmbeddings_BothConventionsKeepTheOneTable()
    {
        // Tied: the one vocab x hidden table is the LM head as well, which every token multiplies.
        var work = new ModelWork(CostTestModels.Mixtral() with { TieWordEmbeddings = true });
        Assert.That(work.ActiveParametersExcludingInputEmbedding, Is.EqualTo(work.ActiveParametersIncludingInputEmbedding).Within(Tol).Percent);
        Assert.That(work.ActiveParametersIncludingInputEmbedding, Is.EqualTo(12_879_925_248.0 - 131_072_000).Within(Tol).Percent);
    }

    [Test]
    public void Mixtral_AttentionProjectionFlops_ForOneToken()
    {
        // Wq 4096x4096, Wk and Wv 4096x1024 each, Wo 4096x4096 = 41,943,040 weights; 2 FLOPs each.
        var work = new ModelWork(CostTestModels.Mixtral());
        var op = work.AttentionProjection(BatchShape.Decode(1, 100));
        Assert.That(op.Flops, Is.EqualTo(2.0 * 41_943_040).Within(Tol).Percent);
        Assert.That(op.WeightBytes, Is.EqualTo(41_943_040 * 2.0).Within(Tol).Percent);
    }

    [Test]
    public void Mixtral_DecodeAttention_FlopsAndKvBytesScaleWithContext()
    {
        // One sequence with 1000 tokens of context: QK^T and PV are each 2 x 128 FLOPs per head per
        // token: 4 x 32 heads x 128 x 1000 = 16,384,000 FLOPs. KV read: 1000 x 2 x 8 x 128 x 2 B = 4,096,000 B.
        var work = new ModelWork(CostTestModels.Mixtral());
        var op = work.AttentionDecode(BatchShape.Decode(1, 1000));
        Assert.That(op.Flops, Is.EqualTo(16_384_000).Within(Tol).Percent);
        Assert.That(op.KvCacheBytes, Is.EqualTo(4_096_000).Within(Tol).Percent);
    }

    [Test]
    public void PrefillAttention_CountsCausalPairs()
    {
        // A 4-token prompt attends 1+2+3+4 = 10 (query, key) pairs; Mixtral: 4 x 32 x 128 FLOPs per pair.
        var work = new ModelWork(CostTestModels.Mixtral());
        var op = work.AttentionPrefill(BatchShape.Prefill(1, 4));
        Assert.That(op.Flops, Is.EqualTo(10 * 4.0 * 32 * 128).Within(Tol).Percent);
    }

    [Test]
    public void DeepSeekV3_DecodeAttention_UsesAbsorbedLatentForm()
    {
        // Per context token and head: scores over 512+64 dims (2 x 576 FLOPs) and values over 512
        // dims (2 x 512): 2,176 FLOPs; x 128 heads x 100 tokens = 27,852,800.
        var work = new ModelWork(CostTestModels.DeepSeekV3());
        var op = work.AttentionDecode(BatchShape.Decode(1, 100));
        Assert.That(op.Flops, Is.EqualTo(27_852_800).Within(Tol).Percent);
    }

    [TestCase(1, 2)]
    [TestCase(1, 8)]
    [TestCase(64, 3)]
    [TestCase(64, 8)]
    public void ExpertFfn_WeightTrafficFollowsDistinctExpertsNotTokens(int tokens, int distinct)
    {
        // One Mixtral expert: gate, up and down, 3 x 4096 x 14336 = 176,160,768 weights, bf16.
        var work = new ModelWork(CostTestModels.Mixtral());
        var op = work.ExpertFfn(BatchShape.Decode(tokens, 10), distinct);
        Assert.That(op.WeightBytes, Is.EqualTo(distinct * 176_160_768 * 2.0).Within(Tol).Percent);
        // FLOPs follow tokens x top-2: 2 FLOPs per weight per (token, expert) pair.
        Assert.That(op.Flops, Is.EqualTo(2.0 * tokens * 2 * 176_160_768).Within(Tol).Percent);
    }

    [Test]
    public void LmHead_OnlyForTokensThatEmitOutput()
    {
        // A 100-token prompt emits one token: 2 x 4096 x 32000 FLOPs, not 100 times that.
        var work = new ModelWork(CostTestModels.Mixtral());
        var op = work.LmHead(BatchShape.Prefill(1, 100));
        Assert.That(op.Flops, Is.EqualTo(2.0 * 4096 * 32000).Within(Tol).Percent);
    }

    [Test]
    public void Fp8Weights_HalveWeightBytesAndRunOnFp8Units()
    {
        var bf16 = new ModelWork(CostTestModels.Mixtral());
        var fp8 = new ModelWork(CostTestModels.Mixtral(DataType.Fp8));
        Assert.That(fp8.TotalWeightBytes, Is.EqualTo(bf16.TotalWeightBytes / 2).Within(Tol).Percent);
        Assert.That(fp8.ExpertFfn(BatchShape.Decode(1, 1), 2).ComputeType, Is.EqualTo(DataType.Fp8));
    }
}
