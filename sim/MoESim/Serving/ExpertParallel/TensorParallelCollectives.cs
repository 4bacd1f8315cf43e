using MoESim.Collectives;
using MoESim.Engine;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// The tensor-parallel collectives of every data-parallel group (groups of TP consecutive GPUs),
/// run together: the all-reduce after attention and dense FFNs, and the all-gather that gives
/// every TP rank the tokens its peers sent through the MoE layer. Reused every step.
/// </summary>
public sealed class TensorParallelCollectives
{
    private readonly RingAllReduce[] _allReduce;
    private readonly RingAllGather[] _allGather;
    private readonly int _tp;
    private Collective[] _last;

    /// <summary>
    /// Collectives over groups of <paramref name="tensorParallel"/> GPUs of <paramref name="network"/>,
    /// timed by <paramref name="model"/> (by the system's size when null, see <see cref="Collective.DefaultModelFor"/>).
    /// </summary>
    public TensorParallelCollectives(TopologyNetwork network, int tensorParallel, CollectiveModel? model = null)
    {
        _tp = tensorParallel;
        int groups = network.DeviceCount / tensorParallel;
        _allReduce = new RingAllReduce[groups];
        _allGather = new RingAllGather[groups];
        for (int g = 0; g < groups; g++)
        {
            var ranks = Enumerable.Range(g * tensorParallel, tensorParallel).ToArray();
            _allReduce[g] = new RingAllReduce(network, ranks, model);
            _allGather[g] = new RingAllGather(network, ranks, model);
        }
        _last = _allReduce;
    }

    /// <summary>
    /// Starts every group's all-reduce of its tokens' activations (<paramref name="batch"/>
    /// tokens × <paramref name="bytesPerToken"/>); each sends (<paramref name="kind"/>) to
    /// <paramref name="onDone"/> when done. Returns how many completions to wait for.
    /// </summary>
    public int StartAllReduce(ExpertParallelBatch batch, long bytesPerToken, IEventTarget onDone, int kind)
    {
        for (int g = 0; g < _allReduce.Length; g++)
            _allReduce[g].Start(batch.Group(g).Tokens * bytesPerToken, onDone, kind);
        _last = _allReduce;
        return _allReduce.Length;
    }

    /// <summary>Starts every group's all-gather of the tokens its ranks handled (the largest rank share); returns how many completions to wait for.</summary>
    public int StartAllGather(ExpertParallelBatch batch, long bytesPerToken, IEventTarget onDone, int kind)
    {
        for (int g = 0; g < _allGather.Length; g++)
        {
            long shard = 0;
            for (int d = g * _tp; d < (g + 1) * _tp; d++) shard = Math.Max(shard, batch.DeviceTokens(d) * bytesPerToken);
            _allGather[g].Start(shard, onDone, kind);
        }
        _last = _allGather;
        return _allGather.Length;
    }

    /// <summary>Duration of the slowest group's collective in the last round, seconds.</summary>
    public double LastSeconds
    {
        get
        {
            double longest = 0;
            foreach (var c in _last) longest = Math.Max(longest, c.LastSeconds);
            return longest;
        }
    }
}
