using MoESim.Serving.Loop;
using MoESim.Traces;

namespace MoESim.Planning;

/// <summary>
/// Spreads a request stream over identical serving replicas the way a round-robin load balancer
/// does: the i-th arriving request goes to replica i mod N. Requests keep their ids and arrival
/// times, so each replica sees every N-th request of the same timeline.
/// </summary>
public static class ReplicaSplit
{
    /// <summary>
    /// The requests of each of <paramref name="replicas"/> replicas (≥ 1), in arrival order;
    /// <paramref name="requests"/> must be in arrival order.
    /// </summary>
    public static IReadOnlyList<Request>[] RoundRobin(IReadOnlyList<Request> requests, int replicas)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        for (int i = 1; i < requests.Count; i++)
        {
            if (requests[i].ArrivalSeconds < requests[i - 1].ArrivalSeconds)
                throw new ArgumentException($"request {requests[i].Id} arrives at {requests[i].ArrivalSeconds} s, before the one listed before it", nameof(requests));
        }
        // The serving cluster's round-robin request router: one definition of the split.
        return Cluster.Split(requests, new RoundRobinRequestRouter(), replicas);
    }

    /// <summary>
    /// The same requests arriving <paramref name="factor"/> times as fast (arrival times divided
    /// by it): the load of <paramref name="factor"/> times as many users with the same request mix.
    /// </summary>
    public static IReadOnlyList<Request> ScaleArrivalRate(IReadOnlyList<Request> requests, double factor)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (!(factor > 0) || !double.IsFinite(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "must be a finite number above 0");
        var scaled = new Request[requests.Count];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = requests[i] with { ArrivalSeconds = requests[i].ArrivalSeconds / factor };
        return scaled;
    }
}
