namespace MoESim.Collectives;

/// <summary>
/// The flows of one rail-forwarded all-to-all, given leg by leg, for exchanges whose fabric
/// traffic is not simply the sum of the GPU-to-GPU matrix: DeepEP's normal kernels send a token
/// across the fabric once per receiving machine and forward it over NVLink once per receiving
/// GPU, and combine reduces a token's expert outputs inside the expert machine before they
/// cross back. All entries are bytes ≥ 0, indexed by participant rank and machine index; one
/// instance is reused from exchange to exchange (<see cref="Clear"/>).
/// </summary>
public sealed class AllToAllTraffic
{
    /// <summary>Empty traffic for <paramref name="ranks"/> participants on <paramref name="machines"/> machines.</summary>
    public AllToAllTraffic(int ranks, int machines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(machines, 1);
        Ranks = ranks;
        Machines = machines;
        Local = new long[ranks * ranks];
        Fabric = new long[ranks * machines];
        Forward = new long[ranks * ranks];
        Gather = new long[ranks * ranks];
    }

    /// <summary>Participants.</summary>
    public int Ranks { get; }

    /// <summary>Machines of the system.</summary>
    public int Machines { get; }

    /// <summary>[src × ranks + dst]: bytes sent directly between two GPUs of one machine (other entries must be 0).</summary>
    public long[] Local { get; }

    /// <summary>[src × machines + machine]: bytes src sends across the fabric to its rail peer in that (other) machine.</summary>
    public long[] Fabric { get; }

    /// <summary>[peer × ranks + dst]: bytes a rail peer forwards over NVLink to a GPU of its machine once its fabric inbound has arrived.</summary>
    public long[] Forward { get; }

    /// <summary>
    /// [src × ranks + dst]: bytes sent over NVLink, alongside everything else, to a GPU of the same
    /// machine that sends them on (reduced) across the fabric: combine's gathering onto the rail
    /// GPU. Like forwarded bytes, they are the fabric leg's data on its way, not counted again.
    /// </summary>
    public long[] Gather { get; }

    /// <summary>Zeroes every entry.</summary>
    public void Clear()
    {
        Array.Clear(Local);
        Array.Clear(Fabric);
        Array.Clear(Forward);
        Array.Clear(Gather);
    }
}
