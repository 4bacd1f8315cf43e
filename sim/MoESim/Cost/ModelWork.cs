using MoESim.Models;
using MoESim.Units;

namespace MoESim.Cost;

/// <summary>
/// FLOPs and bytes of every operator of a model for a given batch: the analytical half of the
/// cost model, independent of any device. Layer shapes are precomputed once per model.
/// </summary>
/// <remarks>
/// Conventions: a multiply-add is 2 FLOPs; GEMM weights are read once per pass; activations
/// are read and written once per operator (fused elementwise work is not counted separately);
/// attention uses a fused (flash) kernel, so the score matrix never reaches memory. MLA uses
/// the non-absorbed form in prefill and the weight-absorbed latent form in decode, as
/// DeepSeek's kernels do.
/// </remarks>
public sealed class ModelWork
{
    private readonly ModelConfig _model;
    private readonly double _h;
    private readonly double _w;   // weight bytes per element
    private readonly double _a;   // activation bytes per element
    private readonly DataType _gemmType;
    private readonly DataType _attentionType;

    public ModelWork(ModelConfig model)
    {
        _model = model;
        _h = model.HiddenSize;
        _w = DataTypes.BytesPerElement(model.DataTypes.Weights);
        _a = DataTypes.BytesPerElement(model.DataTypes.Activations);
        // Weights in fp8/int8 run on fp8/int8 tensor cores; int4 weights are dequantised and
        // multiplied at the activation precision (weight-only quantisation).
        _gemmType = model.DataTypes.Weights is DataType.Fp8 or DataType.Int8 ? model.DataTypes.Weights : model.DataTypes.Activations;
        _attentionType = model.DataTypes.Activations;

        var att = model.Attention;
        if (att.Kind == AttentionKind.Mla)
        {
            var qDim = (double)att.NumHeads * (att.QkNopeHeadDim + att.QkRopeHeadDim);
            var qParams = att.QLoraRank > 0 ? _h * att.QLoraRank + att.QLoraRank * qDim : _h * qDim;
            AttentionParameters = qParams
                + _h * (att.KvLoraRank + att.QkRopeHeadDim)
                + (double)att.KvLoraRank * att.NumHeads * (att.QkNopeHeadDim + att.VHeadDim)
                + (double)att.NumHeads * att.VHeadDim * _h;
            KvCacheElementsPerTokenPerLayer = att.KvLoraRank + att.QkRopeHeadDim;
        }
        else
        {
            AttentionParameters = _h * att.HeadDim * (2.0 * att.NumHeads + 2.0 * att.NumKvHeads);
            KvCacheElementsPerTokenPerLayer = 2.0 * att.NumKvHeads * att.HeadDim;
        }
        var moe = model.Moe;
        ExpertParameters = moe is null ? 0 : 3.0 * _h * moe.ExpertIntermediateSize;
        SharedExpertParameters = moe is null ? 0 : 3.0 * _h * moe.SharedExpertIntermediateSize * moe.NumSharedExperts;
        RouterParameters = moe is null ? 0 : _h * moe.NumExperts;
        DenseFfnParameters = 3.0 * _h * model.DenseIntermediateSize;
        LmHeadParameters = _h * model.VocabSize;
    }

    public ModelConfig Model => _model;

    /// <summary>Attention weights of one layer (elements).</summary>
    public double AttentionParameters { get; }
    /// <summary>Weights of one routed expert (gate, up, down), elements.</summary>
    public double ExpertParameters { get; }
    /// <summary>Weights of all shared experts of one MoE layer, elements.</summary>
    public double SharedExpertParameters { get; }
    public double RouterParameters { get; }
    /// <summary>Weights of one dense-layer FFN, elements.</summary>
    public double DenseFfnParameters { get; }
    public double LmHeadParameters { get; }
    /// <summary>KV-cache elements one token occupies in one layer.</summary>
    public double KvCacheElementsPerTokenPerLayer { get; }

    /// <summary>KV-cache bytes one token occupies across all layers.</summary>
    public double KvCacheBytesPerToken =>
        KvCacheElementsPerTokenPerLayer * _model.NumLayers * DataTypes.BytesPerElement(_model.DataTypes.KvCache);

    /// <summary>Bytes of one routed expert's weights.</summary>
    public double ExpertWeightBytes => ExpertParameters * _w;

    /// <summary>All parameters, embeddings and LM head included (tied embeddings counted once).</summary>
    public double TotalParameters => Parameters(_model.Moe?.NumExperts ?? 0);

    /// <summary>
    /// Parameters one token uses, input embedding table and LM head included (tied ones once):
    /// <see cref="TotalParameters"/> with only the router's top-k routed experts of each MoE layer.
    /// The convention of Mistral AI (Mixtral-8x7B 12.9B), Qwen (Qwen3-30B-A3B 3.3B) and AllenAI
    /// (OLMoE-1B-7B 1.3B). Equals <see cref="TotalParameters"/> for a dense model.
    /// </summary>
    public double ActiveParametersIncludingInputEmbedding => Parameters(_model.Moe?.TopK ?? 0);

    /// <summary>
    /// <see cref="ActiveParametersIncludingInputEmbedding"/> less the input embedding table (a
    /// lookup, no multiply), LM head kept: the weights one token multiplies, so twice this is its
    /// matmul FLOPs. The convention of DeepSeek's "activated parameters" (DeepSeek-V3 37B,
    /// DeepSeek-V2-Lite 2.4B). Smaller by vocab x hidden unless the embeddings are tied (then the
    /// one table is the LM head and stays).
    /// </summary>
    public double ActiveParametersExcludingInputEmbedding =>
        ActiveParametersIncludingInputEmbedding - (_model.TieWordEmbeddings ? 0 : LmHeadParameters);

    // The model with routedExpertsPerMoeLayer routed experts in each MoE layer; norms included.
    private double Parameters(int routedExpertsPerMoeLayer)
    {
        var moeLayers = _model.NumMoeLayers;
        var denseLayers = _model.NumLayers - moeLayers;
        var perMoeLayer = AttentionParameters + RouterParameters + routedExpertsPerMoeLayer * ExpertParameters + SharedExpertParameters + 2 * _h;
        var perDenseLayer = AttentionParameters + DenseFfnParameters + 2 * _h;
        var embeddings = LmHeadParameters * (_model.TieWordEmbeddings ? 1 : 2);
        return moeLayers * perMoeLayer + denseLayers * perDenseLayer + embeddings + _h;
    }

    /// <summary>Bytes of all weights in the model's weight data type.</summary>
    public double TotalWeightBytes => TotalParameters * _w;

    /// <summary>Q/K/V and output projections of one layer for all tokens of the batch.</summary>
    public OperatorWork AttentionProjection(in BatchShape b)
    {
        var att = _model.Attention;
        double ioElements = att.Kind == AttentionKind.Mla
            ? 2 * _h + att.NumHeads * (att.QkNopeHeadDim + att.QkRopeHeadDim + att.VHeadDim) + att.KvLoraRank + att.QkRopeHeadDim
            : 2 * _h + att.HeadDim * (2.0 * att.NumHeads + 2.0 * att.NumKvHeads);
        var kvWrite = b.Tokens * KvCacheElementsPerTokenPerLayer * DataTypes.BytesPerElement(_model.DataTypes.KvCache);
        return new OperatorWork
        {
            Name = "attention projections", Kind = OperatorKinds.AttentionProjection,
            Flops = 2.0 * b.Tokens * AttentionParameters,
            WeightBytes = AttentionParameters * _w,
            ActivationBytes = b.Tokens * ioElements * _a,
            KvCacheBytes = kvWrite,
            ComputeType = _gemmType, Kernels = 2,
            OutputElements = b.Tokens * ioElements / 2, // about half the I/O elements are outputs (q, k, v, o)
        };
    }

    /// <summary>Causal attention core over the prefill chunks of one layer.</summary>
    public OperatorWork AttentionPrefill(in BatchShape b)
    {
        var att = _model.Attention;
        double perPairPerHead = att.Kind == AttentionKind.Mla
            ? 2.0 * (att.QkNopeHeadDim + att.QkRopeHeadDim) + 2.0 * att.VHeadDim
            : 4.0 * att.HeadDim;
        double qkvoElementsPerToken = att.Kind == AttentionKind.Mla
            ? att.NumHeads * (2.0 * (att.QkNopeHeadDim + att.QkRopeHeadDim) + 2.0 * att.VHeadDim)
            : att.HeadDim * (2.0 * att.NumHeads + 2.0 * att.NumKvHeads);
        return new OperatorWork
        {
            Name = "attention (prefill)", Kind = OperatorKinds.AttentionPrefill,
            Flops = att.NumHeads * perPairPerHead * b.PrefillAttendedPairs,
            WeightBytes = 0,
            ActivationBytes = b.PrefillTokens * qkvoElementsPerToken * _a,
            KvCacheBytes = b.PrefillCachedTokens * KvCacheElementsPerTokenPerLayer * DataTypes.BytesPerElement(_model.DataTypes.KvCache),
            ComputeType = _attentionType, Kernels = b.PrefillTokens > 0 ? 1 : 0,
        };
    }

    /// <summary>Attention of each decode token over its sequence's KV cache, one layer.</summary>
    public OperatorWork AttentionDecode(in BatchShape b)
    {
        var att = _model.Attention;
        double perContextTokenPerHead = att.Kind == AttentionKind.Mla
            ? 2.0 * (att.KvLoraRank + att.QkRopeHeadDim) + 2.0 * att.KvLoraRank
            : 4.0 * att.HeadDim;
        double qoElements = att.Kind == AttentionKind.Mla
            ? att.NumHeads * (att.KvLoraRank + att.QkRopeHeadDim + att.KvLoraRank)
            : 2.0 * att.NumHeads * att.HeadDim;
        return new OperatorWork
        {
            Name = "attention (decode)", Kind = OperatorKinds.AttentionDecode,
            Flops = att.NumHeads * perContextTokenPerHead * b.DecodeContextTokens,
            WeightBytes = 0,
            ActivationBytes = b.DecodeSequences * qoElements * _a,
            KvCacheBytes = b.DecodeContextTokens * KvCacheElementsPerTokenPerLayer * DataTypes.BytesPerElement(_model.DataTypes.KvCache),
            ComputeType = _attentionType, Kernels = b.DecodeSequences > 0 ? 1 : 0,
            OutputElements = att.NumHeads * (b.DecodeContextTokens + b.DecodeSequences * (1.0 + qoElements / (2.0 * att.NumHeads))), // scores, softmax, outputs
        };
    }

    /// <summary>Router GEMM and top-k of one MoE layer (router weights kept at activation precision).</summary>
    public OperatorWork Router(in BatchShape b)
    {
        var experts = _model.Moe?.NumExperts ?? 0;
        return new OperatorWork
        {
            Name = "router", Kind = OperatorKinds.Router,
            Flops = 2.0 * b.Tokens * RouterParameters,
            WeightBytes = RouterParameters * _a,
            ActivationBytes = b.Tokens * (_h + experts) * _a,
            KvCacheBytes = 0,
            ComputeType = _attentionType, Kernels = 1,
            OutputElements = (double)b.Tokens * experts,
        };
    }

    /// <summary>
    /// Routed-expert SwiGLU FFNs of one MoE layer. Weight traffic is that of the
    /// <paramref name="distinctExperts"/> experts the batch activates, not of the token count:
    /// in decode, this is what makes MoE layers memory-bound.
    /// </summary>
    public OperatorWork ExpertFfn(in BatchShape b, int distinctExperts)
    {
        var moe = _model.Moe ?? throw new InvalidOperationException($"model {_model.Name} has no MoE layers");
        var pairs = (double)b.Tokens * moe.TopK;
        return new OperatorWork
        {
            Name = "routed experts", Kind = OperatorKinds.ExpertFfn,
            Flops = 2.0 * pairs * ExpertParameters,
            WeightBytes = distinctExperts * ExpertWeightBytes,
            ActivationBytes = pairs * (2.0 * _h + 3.0 * moe.ExpertIntermediateSize) * _a,
            KvCacheBytes = 0,
            ComputeType = _gemmType, Kernels = 2,
            OutputElements = pairs * (2.0 * moe.ExpertIntermediateSize + _h), // gate/up (and activation) + down
        };
    }

    /// <summary>Shared experts of one MoE layer (every token uses them).</summary>
    public OperatorWork SharedExpert(in BatchShape b)
    {
        var moe = _model.Moe;
        var width = moe is null ? 0.0 : (double)moe.SharedExpertIntermediateSize * moe.NumSharedExperts;
        return new OperatorWork
        {
            Name = "shared experts", Kind = OperatorKinds.SharedExpert,
            Flops = 2.0 * b.Tokens * SharedExpertParameters,
            WeightBytes = SharedExpertParameters * _w,
            // A model without shared experts reads and writes nothing here (it used to be charged
            // the input and output activations of an expert that does not exist).
            ActivationBytes = width > 0 ? b.Tokens * (2.0 * _h + 3.0 * width) * _a : 0,
            KvCacheBytes = 0,
            ComputeType = _gemmType, Kernels = width > 0 ? 2 : 0,
            OutputElements = width > 0 ? b.Tokens * (2.0 * width + _h) : 0,
        };
    }

    /// <summary>SwiGLU FFN of one dense layer.</summary>
    public OperatorWork DenseFfn(in BatchShape b) => new()
    {
        Name = "dense FFN", Kind = OperatorKinds.DenseFfn,
        Flops = 2.0 * b.Tokens * DenseFfnParameters,
        WeightBytes = DenseFfnParameters * _w,
        ActivationBytes = b.Tokens * (2.0 * _h + 3.0 * _model.DenseIntermediateSize) * _a,
        KvCacheBytes = 0,
        ComputeType = _gemmType, Kernels = 2,
        OutputElements = b.Tokens * (2.0 * _model.DenseIntermediateSize + _h),
    };

    /// <summary>Logits for the tokens that emit output (last prompt token, each decode token).</summary>
    public OperatorWork LmHead(in BatchShape b) => new()
    {
        Name = "LM head", Kind = OperatorKinds.LmHead,
        Flops = 2.0 * b.OutputTokens * LmHeadParameters,
        WeightBytes = LmHeadParameters * _w,
        ActivationBytes = b.OutputTokens * (_h + _model.VocabSize) * _a,
        KvCacheBytes = 0,
        ComputeType = _gemmType, Kernels = 1,
        OutputElements = (double)b.OutputTokens * _model.VocabSize,
    };
}
