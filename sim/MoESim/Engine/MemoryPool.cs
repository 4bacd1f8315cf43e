namespace MoESim.Engine;

/// <summary>
/// Capacity accounting for one memory (an HBM stack, host DRAM, an expert cache): how many bytes
/// are in use, the high-water mark, and whether a new allocation fits. It tracks totals only,
/// not addresses; fragmentation is not modelled.
/// </summary>
public sealed class MemoryPool
{
    /// <summary>Creates a pool named <paramref name="name"/> holding <paramref name="capacityBytes"/> (≥ 0) bytes.</summary>
    public MemoryPool(string name, long capacityBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (capacityBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "capacity must be non-negative");
        Name = name;
        CapacityBytes = capacityBytes;
    }

    /// <summary>Pool name for reports.</summary>
    public string Name { get; }

    /// <summary>Total capacity in bytes.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes currently allocated (0 to <see cref="CapacityBytes"/>).</summary>
    public long UsedBytes { get; private set; }

    /// <summary>Highest <see cref="UsedBytes"/> seen so far.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>Bytes still free.</summary>
    public long AvailableBytes => CapacityBytes - UsedBytes;

    /// <summary>Allocations refused by <see cref="TryAllocate"/> because they did not fit.</summary>
    public long FailedAllocations { get; private set; }

    /// <summary>
    /// Reserves <paramref name="bytes"/> (≥ 0) if they fit; returns false and changes nothing
    /// otherwise, so callers can evict and retry.
    /// </summary>
    public bool TryAllocate(long bytes)
    {
        if (bytes < 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "allocation size must be non-negative");
        if (bytes > AvailableBytes)
        {
            FailedAllocations++;
            return false;
        }
        UsedBytes += bytes;
        if (UsedBytes > PeakBytes)
            PeakBytes = UsedBytes;
        return true;
    }

    /// <summary>
    /// Returns <paramref name="bytes"/> (≥ 0) to the pool. Freeing more than is allocated means
    /// the caller's bookkeeping is wrong, so it throws rather than clamping.
    /// </summary>
    public void Free(long bytes)
    {
        if (bytes < 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "free size must be non-negative");
        if (bytes > UsedBytes)
            throw new InvalidOperationException($"memory pool '{Name}': freeing {bytes} bytes but only {UsedBytes} are allocated");
        UsedBytes -= bytes;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {UsedBytes}/{CapacityBytes} bytes (peak {PeakBytes})";
}
