namespace MoESim.Collectives;

/// <summary>
/// Times a rail-forwarded all-to-all (<see cref="AllToAllTraffic"/> legs) with
/// <see cref="AggregatedLinkLoads"/>, for <see cref="CollectiveModel.Aggregated"/>. Fabric legs
/// run from the start (one stage, per-device totals). NVLink ports serve the local and gather
/// legs from the start and each rail peer's forwards once its inbound fabric legs are through,
/// each leg when the busiest link of its route is through, in the order the peers are ready and
/// never idle while one is ready (<see cref="AggregatedLinkLoads.AddInOrder"/>): the flow model's
/// forwarding without its flows. The exchange lasts until both are through, and at least as long
/// as all legs on shared links at once. Work per run: ranks × (GPUs per machine + machines)
/// entries read, the nonzero ones added, plus sorting the forwarding peers; no allocation.
/// </summary>
internal sealed class AggregatedRailLegs
{
    private const int FabricStage = 0;
    private const int NvlinkStage = 1;

    private readonly int[] _machine;      // per rank
    private readonly int[] _members;      // [machine * perMachine + local index] -> rank
    private readonly int[] _railPeer;     // [rank * machines + machine] -> rank
    private readonly int _machines;
    private readonly int _perMachine;
    private readonly double[] _arrivalSeconds;   // per rank: when its inbound fabric legs are through, seconds
    private readonly bool[] _forwards;    // per rank: it forwards something
    private readonly bool[] _receives;    // per rank: a fabric leg reaches it
    private readonly int[] _fabricLegs;   // nonzero fabric entries (src * machines + machine) of the run
    private readonly int[] _forwardLegs;  // nonzero forward entries (peer * ranks + dst) of the run, peer by peer
    private readonly int[] _forwarders;   // ranks with forward legs, in rank order
    private readonly int[] _forwarderFirst; // first of each forwarder's entries in _forwardLegs (one extra)
    private readonly double[] _forwarderArrivalSeconds; // sort keys
    private readonly int[] _forwarderOrder;      // indices into _forwarders, sorted by arrival
    private int _fabricCount, _forwardCount, _forwarderCount;

    /// <summary>Bookkeeping for a rail layout (the all-to-all's per-rank maps, shared, not copied).</summary>
    public AggregatedRailLegs(int[] machine, int[] members, int[] railPeer, int machines, int perMachine)
    {
        _machine = machine;
        _members = members;
        _railPeer = railPeer;
        _machines = machines;
        _perMachine = perMachine;
        int n = machine.Length;
        _arrivalSeconds = new double[n];
        _forwards = new bool[n];
        _receives = new bool[n];
        _fabricLegs = new int[n * machines];
        _forwardLegs = new int[n * perMachine];
        _forwarders = new int[n];
        _forwarderFirst = new int[n + 1];
        _forwarderArrivalSeconds = new double[n];
        _forwarderOrder = new int[n];
    }

    /// <summary>
    /// Checks <paramref name="traffic"/>'s legs and adds the local, gather and fabric ones to
    /// <paramref name="loads"/> (cleared first, and again when a leg is refused), keeping the
    /// forward legs for <see cref="Seconds"/>; <paramref name="ranks"/> maps ranks to GPUs. Returns
    /// the bytes exchanged, each copy once (local and fabric legs).
    /// </summary>
    public long Add(AllToAllTraffic traffic, AggregatedLinkLoads loads, ReadOnlySpan<int> ranks)
    {
        loads.Clear();
        try
        {
            return AddLegs(traffic, loads, ranks);
        }
        catch
        {
            loads.Clear();
            throw;
        }
    }

    /// <summary>
    /// The exchange's duration, seconds, once <see cref="Add"/> has added <paramref name="traffic"/>:
    /// adds the forward legs from their peers' arrival and reads the stages.
    /// </summary>
    public double Seconds(AllToAllTraffic traffic, AggregatedLinkLoads loads, ReadOnlySpan<int> ranks)
    {
        int n = _machine.Length;
        Array.Clear(_arrivalSeconds);
        for (int f = 0; f < _fabricCount; f++)
        {
            int s = _fabricLegs[f] / _machines, peer = _railPeer[_fabricLegs[f]];
            _arrivalSeconds[peer] = Math.Max(_arrivalSeconds[peer], loads.RouteSeconds(FabricStage, ranks[s], ranks[peer]));
        }
        // Forwarders in order of arrival (equal arrivals in any order: the links' times are the same).
        for (int k = 0; k < _forwarderCount; k++)
        {
            _forwarderArrivalSeconds[k] = _arrivalSeconds[_forwarders[k]];
            _forwarderOrder[k] = k;
        }
        Array.Sort(_forwarderArrivalSeconds, _forwarderOrder, 0, _forwarderCount);
        for (int i = 0; i < _forwarderCount; i++)
        {
            int k = _forwarderOrder[i], p = _forwarders[k];
            for (int f = _forwarderFirst[k]; f < _forwarderFirst[k + 1]; f++)
                loads.AddInOrder(NvlinkStage, ranks[p], ranks[_forwardLegs[f] % n], traffic.Forward[_forwardLegs[f]], _arrivalSeconds[p]);
        }
        return Math.Max(Math.Max(loads.StageSeconds(FabricStage), loads.InOrderSeconds(NvlinkStage)), loads.TotalSeconds());
    }

    private long AddLegs(AllToAllTraffic traffic, AggregatedLinkLoads loads, ReadOnlySpan<int> ranks)
    {
        int n = _machine.Length, g = _perMachine, machines = _machines;
        Array.Clear(_forwards);
        Array.Clear(_receives);
        _fabricCount = 0;
        _forwardCount = 0;
        _forwarderCount = 0;
        long total = 0;
        for (int s = 0; s < n; s++)
        {
            int home = _machine[s] * g;
            for (int i = 0; i < g; i++)
            {
                int d = _members[home + i];
                long local = traffic.Local[s * n + d], forward = traffic.Forward[s * n + d], gather = traffic.Gather[s * n + d];
                if ((local | forward | gather) == 0) continue;
                if (local < 0 || forward < 0 || gather < 0) throw new ArgumentOutOfRangeException(nameof(traffic), $"negative bytes from rank {s} to rank {d}");
                _forwards[s] |= forward != 0;
                if (s == d) continue;
                total += local;
                loads.AddInOrder(NvlinkStage, ranks[s], ranks[d], local, 0);
                loads.AddInOrder(NvlinkStage, ranks[s], ranks[d], gather, 0);
                if (forward == 0) continue;
                if (_forwarderCount == 0 || _forwarders[_forwarderCount - 1] != s)
                {
                    _forwarderFirst[_forwarderCount] = _forwardCount;
                    _forwarders[_forwarderCount++] = s;
                }
                _forwardLegs[_forwardCount++] = s * n + d;
            }
            for (int m = 0; m < machines; m++)
            {
                long fabric = traffic.Fabric[s * machines + m];
                if (fabric == 0) continue;
                if (fabric < 0) throw new ArgumentOutOfRangeException(nameof(traffic), $"negative fabric bytes from rank {s} to machine {m}");
                if (m == _machine[s]) throw new ArgumentException($"rank {s} is on machine {m}: no fabric leg to its own machine", nameof(traffic));
                total += fabric;
                int peer = _railPeer[s * machines + m];
                _receives[peer] = true;
                _fabricLegs[_fabricCount++] = s * machines + m;
                loads.Add(FabricStage, ranks[s], ranks[peer], fabric);
            }
        }
        _forwarderFirst[_forwarderCount] = _forwardCount;
        for (int p = 0; p < n; p++)
            if (_forwards[p] && !_receives[p])
                throw new ArgumentException($"rank {p} forwards bytes but no fabric flow reaches it over its rail", nameof(traffic));
        return total;
    }
}
