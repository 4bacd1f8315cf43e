using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Every outcome of <see cref="SystematicScan"/> precomputed, so a draw of k distinct experts
/// is one guide lookup, a compare or two and a k-id copy (three cache lines) instead of k
/// interval searches.
/// </summary>
/// <remarks>
/// With the k points u, u + 1, …, u + k − 1, the chosen set only changes when u crosses the
/// fractional part of a prefix sum: at most <c>experts</c> breakpoints split [0, 1) into
/// segments of constant outcome. The table keeps, per layer and order, the segment starts (as
/// 31-bit fixed point, the resolution the scan draws u at) and each segment's k experts, found
/// by one sweep over the sorted breakpoints (O(E log E) per order). It lays out the same seeded
/// orders as the scan, so both give the same experts for the same random word (tested).
/// Ids take one byte each up to 256 experts, else two. Memory: about layers × orders × experts ×
/// (k × id bytes + 12) bytes (4.7 MB for DeepSeek-V3's 58 × 256, top-8); see <see cref="Fits"/>.
/// </remarks>
public sealed class SystematicSetTable
{
    /// <summary>Largest table built (bytes); bigger shapes draw through the scan.</summary>
    public const long MaxBytes = 128L << 20;
    private const uint End = 1u << SystematicScan.StartBits;
    private readonly int _experts;
    private readonly int _topK;
    private readonly int _guideCells;
    private readonly int _guideShift;   // x >> shift = cell
    private readonly int _segmentBits;  // low bits of a guide entry holding the segment
    private readonly int _idBytes;
    private readonly byte[][] _sets;    // [layer][((order * experts + segment) * k + j) * id bytes], little-endian ids
    private readonly uint[][] _starts;  // [layer][order * (experts + 1) + segment]; End after the last
    private readonly uint[][] _guide;   // [layer][order * cells + cell] = (next start − cell start, capped at the cell size) << segment bits | first segment

    /// <summary>True when a table for this shape stays within <see cref="MaxBytes"/> and ids fit 16 bits.</summary>
    public static bool Fits(int layers, int experts, int topK) =>
        experts <= ushort.MaxValue && Bytes(layers, experts, topK) <= MaxBytes;

    private static long Bytes(int layers, int experts, int topK) =>
        (long)layers * SystematicScan.Orders * ((long)experts * (IdBytes(experts) * topK + 4) + 4 + 4L * GuideCells(experts));

    private static int IdBytes(int experts) => experts <= 256 ? 1 : 2;

    private static int GuideCells(int experts) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, 2 * experts));

    /// <summary>
    /// Builds the table for <paramref name="inclusion"/> [layer][expert] over orders shuffled by
    /// <paramref name="orderRandom"/> (check <see cref="Fits"/> first).
    /// </summary>
    public SystematicSetTable(int experts, int topK, double[][] inclusion, SeededRandom orderRandom)
    {
        var layers = inclusion.Length;
        if (!Fits(layers, experts, topK)) throw new ArgumentException($"a set table for {layers} layers × {experts} experts, top-{topK} exceeds {MaxBytes} bytes");
        _experts = experts;
        _topK = topK;
        _guideCells = GuideCells(experts);
        // A cell spans 2^shift starts, so an offset within it (or the cell size) takes shift + 1
        // bits; segments < cells take log2(cells): 32 bits in all, one uint per cell.
        _segmentBits = BitOperations.Log2((uint)_guideCells);
        _guideShift = SystematicScan.StartBits - _segmentBits;
        _idBytes = IdBytes(experts);
        _sets = new byte[layers][];
        _starts = new uint[layers][];
        _guide = new uint[layers][];
        var sweep = new Sweep(experts, topK, _idBytes);
        for (var l = 0; l < layers; l++)
        {
            var setBytes = experts * topK * _idBytes;
            var sets = new byte[SystematicScan.Orders * setBytes];
            var starts = new uint[SystematicScan.Orders * (experts + 1)];
            var guide = new uint[SystematicScan.Orders * _guideCells];
            for (var o = 0; o < SystematicScan.Orders; o++)
            {
                SystematicScan.LayOut(inclusion[l], orderRandom, sweep.Order, sweep.Cumulative);
                var oStarts = starts.AsSpan(o * (experts + 1), experts + 1);
                var segments = sweep.Run(oStarts, sets.AsSpan(o * setBytes, setBytes));
                oStarts[segments] = End;
                var segment = 0;
                var cellSize = 1u << _guideShift;
                for (var c = 0; c < _guideCells; c++)
                {
                    var cellStart = (uint)c << _guideShift;
                    while (oStarts[segment + 1] <= cellStart) segment++;
                    var offset = Math.Min(oStarts[segment + 1] - cellStart, cellSize);
                    guide[o * _guideCells + c] = (offset << _segmentBits) | (uint)segment;
                }
            }
            _sets[l] = sets;
            _starts[l] = starts;
            _guide[l] = guide;
        }
    }

    /// <summary>The k experts a random word selects at <paramref name="layer"/> (same as <see cref="SystematicScan.Draw"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Draw(int layer, ulong random, Span<int> slots)
    {
        var order = SystematicScan.OrderOf(random);
        var x = SystematicScan.StartOf(random);
        var starts = _starts[layer].AsSpan(order * (_experts + 1), _experts + 1);
        // The guide cell names its first segment and where the next one starts: one load and a
        // branch-free step settle the draw unless the cell holds a second breakpoint (a guide
        // cell holds half a breakpoint on average), which the rarely taken loop handles.
        var cell = _guide[layer][order * _guideCells + (int)(x >> _guideShift)];
        var within = x & ((1u << _guideShift) - 1);
        var segment = (int)(cell & ((1u << _segmentBits) - 1)) + (int)(((long)(cell >> _segmentBits) - 1 - within) >>> 63);
        while (starts[segment + 1] <= x) segment++;
        var k = _topK;
        var set = _sets[layer].AsSpan((order * _experts + segment) * k * _idBytes, k * _idBytes);
        if (k == 8 && slots.Length == 8)
        {
            // Top-8: one load widened to two 4-int stores.
            var ids = _idBytes == 1
                ? Vector128.WidenLower(Vector128.CreateScalar(MemoryMarshal.Read<ulong>(set)).AsByte())
                : Vector128.Create<ushort>(MemoryMarshal.Cast<byte, ushort>(set));
            Vector128.WidenLower(ids).AsInt32().CopyTo(slots);
            Vector128.WidenUpper(ids).AsInt32().CopyTo(slots[4..]);
            return;
        }
        if (_idBytes == 1) for (var j = 0; j < k; j++) slots[j] = set[j];
        else for (var j = 0; j < k; j++) slots[j] = BinaryPrimitives.ReadUInt16LittleEndian(set[(2 * j)..]);
    }

    /// <summary>
    /// Scratch of one order's sweep. Slot j holds the last position p whose prefix sum is at
    /// most u + j; as u rises from 0 it moves to p exactly when u reaches frac(cum[p]) (for
    /// j = ⌊cum[p]⌋), so sorting those crossings gives every segment in one pass. Slots are then
    /// kept strictly increasing (slot j at least one past slot j − 1) as the scan does, which
    /// only matters where rounding makes an interval of π = 1 a hair longer than 1.
    /// </summary>
    private sealed class Sweep(int experts, int topK, int idBytes)
    {
        private readonly ulong[] _events = new ulong[experts]; // crossing start << 32 | position
        private readonly int[] _natural = new int[topK];

        public int[] Order { get; } = new int[experts];
        public double[] Cumulative { get; } = new double[experts + 1];

        /// <summary>Writes segment starts and sets for the laid-out order; returns the segment count.</summary>
        public int Run(Span<uint> starts, Span<byte> sets)
        {
            var cum = Cumulative;
            var last = experts - 1;
            // u = 0: slot j sits at the last position whose prefix sum is ≤ j.
            var p = 0;
            for (var j = 0; j < topK; j++)
            {
                while (p < last && cum[p + 1] <= j) p++;
                _natural[j] = p;
            }
            var n = 0;
            for (var q = 1; q <= last; q++)
            {
                var band = Math.Floor(cum[q]);
                var fraction = cum[q] - band; // exact in double
                if (fraction == 0 || band >= topK) continue; // crossed at u = 0 already, or never
                var start = Math.Ceiling(fraction * End);     // first x with x / 2^31 ≥ fraction, exact
                if (start >= End) continue;
                _events[n++] = ((ulong)start << 32) | (uint)q;
            }
            Array.Sort(_events, 0, n);
            var segments = 0;
            var e = 0;
            while (true)
            {
                var start = segments == 0 ? 0u : (uint)(_events[e] >> 32);
                // Apply every crossing at this start (ascending positions: the last one wins).
                while (e < n && (uint)(_events[e] >> 32) == start)
                {
                    var q = (int)(uint)_events[e++];
                    _natural[(int)Math.Floor(cum[q])] = q;
                }
                starts[segments] = start;
                var set = sets.Slice(segments * topK * idBytes, topK * idBytes);
                var previous = -1;
                for (var j = 0; j < topK; j++)
                {
                    previous = Math.Max(_natural[j], previous + 1);
                    if (idBytes == 1) set[j] = (byte)Order[previous];
                    else BinaryPrimitives.WriteUInt16LittleEndian(set[(2 * j)..], (ushort)Order[previous]);
                }
                segments++;
                if (e == n) return segments;
            }
        }
    }
}
