namespace MoESim.Traces.Statistics;

/// <summary>Deterministic request sample: request id hashed with a seed (SplitMix64) against a threshold.</summary>
public readonly struct RequestSampler
{
    private readonly ulong _seed;
    private readonly ulong _threshold;
    private readonly bool _all;

    /// <summary>Keeps about <paramref name="fraction"/> (0..1] of request ids.</summary>
    public RequestSampler(double fraction, ulong seed)
    {
        _seed = seed;
        _all = fraction >= 1.0;
        _threshold = _all ? ulong.MaxValue : (ulong)(fraction * 18446744073709551615.0);
    }

    /// <summary>True when <paramref name="requestId"/> is in the sample.</summary>
    public bool Contains(int requestId)
    {
        if (_all) return true;
        var z = (ulong)(uint)requestId + _seed * 0x9E3779B97F4A7C15UL + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) < _threshold;
    }
}
