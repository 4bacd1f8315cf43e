using System.Buffers;

namespace MoESim.Traces.Replay;

/// <summary>
/// Replay's big per-run arrays come from <see cref="ArrayPool{T}.Shared"/> and go back on
/// dispose: fresh memory costs a page fault per 4 KiB on first touch (tens of milliseconds for
/// a few MB in a VM), pooled memory stays mapped from one run to the next.
/// </summary>
internal static class PooledArrays
{
    /// <summary>A pooled array of at least <paramref name="length"/> elements (contents unspecified).</summary>
    public static T[] Rent<T>(long length) => ArrayPool<T>.Shared.Rent((int)Math.Clamp(length, 1, Array.MaxLength));

    /// <summary>
    /// <paramref name="array"/> if it holds <paramref name="need"/> elements, else a pooled array of
    /// at least that many (doubling) with the first <paramref name="used"/> copied over; the old one goes back.
    /// </summary>
    public static T[] Grow<T>(T[] array, long used, long need)
    {
        if (need <= array.Length) return array;
        var grown = Rent<T>(Math.Max(need, 2L * array.Length));
        array.AsSpan(0, (int)used).CopyTo(grown);
        Return(array);
        return grown;
    }

    /// <summary>Gives <paramref name="array"/> back (an empty array is ignored).</summary>
    public static void Return<T>(T[] array)
    {
        if (array.Length > 0) ArrayPool<T>.Shared.Return(array);
    }
}
