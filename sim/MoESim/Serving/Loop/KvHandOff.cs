using MoESim.Engine;

namespace MoESim.Serving.Loop;

/// <summary>
/// Moves a request's KV cache from one instance to another over the network as a timed transfer
/// (a flow of its bytes over a route, sharing links max-min fair with other traffic); when the
/// last byte has arrived the receiving instance admits the request. The hook that
/// prefill/decode disaggregation builds on.
/// </summary>
public sealed class KvHandOff : IEventTarget
{
    private const int ArrivedEvent = 1;
    private readonly FlowNetwork _network;
    private readonly List<ServingInstance> _receivers = new();

    /// <summary>Hand-offs over <paramref name="network"/>'s links.</summary>
    public KvHandOff(FlowNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
    }

    /// <summary>Hand-offs started so far.</summary>
    public long Started { get; private set; }

    /// <summary>Bytes handed off so far.</summary>
    public long BytesSent { get; private set; }

    /// <summary>
    /// Sends <paramref name="kvBytes"/> (≥ 0) of request <paramref name="requestId"/> (its index
    /// in <paramref name="to"/>'s request list) over <paramref name="route"/> (link indices of the
    /// network); <paramref name="to"/> admits the request when they have arrived.
    /// </summary>
    public void Send(long kvBytes, ReadOnlySpan<int> route, ServingInstance to, int requestId)
    {
        ArgumentNullException.ThrowIfNull(to);
        int receiver = _receivers.IndexOf(to);
        if (receiver < 0)
        {
            receiver = _receivers.Count;
            _receivers.Add(to);
        }
        Started++;
        BytesSent += kvBytes;
        _network.StartFlow(kvBytes, route, this, ArrivedEvent, receiver, requestId, "kv-handoff");
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1) => _receivers[(int)arg0].Admit((int)arg1);
}
