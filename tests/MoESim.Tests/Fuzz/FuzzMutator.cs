using System.Text;
using System.Text.RegularExpressions;
using MoESim.Randomness;

namespace MoESim.Tests.Fuzz;

/// <summary>The mutation classes of the fuzz suite (text formats use all but the binary ones).</summary>
public enum Mutation
{
    ByteFlip,
    Truncate,
    DeleteLine,
    DuplicateLine,
    SwapNumbers,
    ReplaceNumber,
    DeepNesting,
    AliasBomb,
    InvalidUtf8,
    ByteOrderMark,
    CrlfLineEndings,
    Compound,
    HeaderField,
}

/// <summary>One mutant: its bytes and a description of what was done to the seed input.</summary>
public sealed record Mutant(byte[] Bytes, Mutation Kind, string Description);

/// <summary>
/// Seeded, deterministic mutator over text and binary inputs. Mutant <c>i</c> of a format depends
/// only on (seed, format, i): it is drawn from its own <see cref="SeededRandom"/> stream, so one
/// failing mutant can be rebuilt without generating those before it.
/// </summary>
public static partial class FuzzMutator
{
    private static readonly Mutation[] TextKinds =
    [
        Mutation.ByteFlip, Mutation.Truncate, Mutation.DeleteLine, Mutation.DuplicateLine, Mutation.SwapNumbers,
        Mutation.ReplaceNumber, Mutation.DeepNesting, Mutation.AliasBomb, Mutation.InvalidUtf8, Mutation.ByteOrderMark,
        Mutation.CrlfLineEndings, Mutation.Compound,
    ];

    private static readonly Mutation[] BinaryKinds = [Mutation.ByteFlip, Mutation.Truncate, Mutation.HeaderField, Mutation.Compound];

    // Replacement values for a number: non-finite, huge, tiny, negative, zero, not a number at all.
    private static readonly string[] Weird =
    [
        "NaN", ".nan", "nan", "inf", "-inf", ".inf", "-.inf", "Infinity", "1e308", "1e309", "-1e308", "1e30", "1e-300",
        "9999999999999999999999", "2147483648", "4294967296", "-1", "-1e9", "-0", "0", "0.0", "1e-9", "0x10", "1_000", "",
    ];

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][-+]?\d+)?")]
    private static partial Regex Number();

    /// <summary>A stable 64-bit hash of a format name (string.GetHashCode is randomized per process).</summary>
    public static ulong StreamOf(string format)
    {
        var h = 14695981039346656037UL;
        foreach (var c in format) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    /// <summary>Mutant <paramref name="index"/> of <paramref name="input"/> for <paramref name="format"/> under <paramref name="seed"/>.</summary>
    public static Mutant Mutate(byte[] input, bool binary, string format, ulong seed, int index)
    {
        var random = new SeededRandom(seed ^ StreamOf(format)).Fork((ulong)index);
        var kinds = binary ? BinaryKinds : TextKinds;
        var kind = kinds[random.NextInt(kinds.Length)];
        if (kind != Mutation.Compound)
        {
            var (bytes, what) = Apply(input, kind, random);
            return new Mutant(bytes, kind, what);
        }
        // Two or three of the simple, local mutations one after the other.
        var simple = binary ? BinaryKinds[..^1] : TextKinds[..6];
        var current = input;
        var steps = new List<string>();
        var count = 2 + random.NextInt(2);
        for (var s = 0; s < count; s++)
        {
            var (bytes, what) = Apply(current, simple[random.NextInt(simple.Length)], random);
            current = bytes;
            steps.Add(what);
        }
        return new Mutant(current, kind, "compound: " + string.Join("; ", steps));
    }

    private static (byte[] Bytes, string What) Apply(byte[] input, Mutation kind, SeededRandom random) => kind switch
    {
        Mutation.ByteFlip => ByteFlip(input, random),
        Mutation.Truncate => Truncate(input, random),
        Mutation.DeleteLine => EditLines(input, random, duplicate: false),
        Mutation.DuplicateLine => EditLines(input, random, duplicate: true),
        Mutation.SwapNumbers => SwapNumbers(input, random),
        Mutation.ReplaceNumber => ReplaceNumber(input, random),
        Mutation.DeepNesting => DeepNesting(input, random),
        Mutation.AliasBomb => AliasBomb(input, random),
        Mutation.InvalidUtf8 => InvalidUtf8(input, random),
        Mutation.ByteOrderMark => ([0xEF, 0xBB, 0xBF, .. input], "UTF-8 byte order mark prepended"),
        Mutation.CrlfLineEndings => (Encoding.UTF8.GetBytes(Text(input).Replace("\r\n", "\n").Replace("\n", "\r\n")), "CRLF line endings"),
        Mutation.HeaderField => HeaderField(input, random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static (byte[], string) ByteFlip(byte[] input, SeededRandom random)
    {
        if (input.Length == 0) return (input, "byte flip of an empty input");
        var bytes = (byte[])input.Clone();
        var flips = 1 + random.NextInt(4);
        var where = new List<string>();
        for (var f = 0; f < flips; f++)
        {
            var at = random.NextInt(bytes.Length);
            var bit = random.NextInt(8);
            bytes[at] ^= (byte)(1 << bit);
            where.Add($"byte {at} bit {bit}");
        }
        return (bytes, "byte flip at " + string.Join(", ", where));
    }

    private static (byte[], string) Truncate(byte[] input, SeededRandom random)
    {
        var length = random.NextInt(input.Length + 1);
        return (input[..length], $"truncated to {length} of {input.Length} bytes");
    }

    private static (byte[], string) EditLines(byte[] input, SeededRandom random, bool duplicate)
    {
        var lines = Text(input).Split('\n').ToList();
        var at = random.NextInt(lines.Count);
        if (duplicate) lines.Insert(at, lines[at]);
        else lines.RemoveAt(at);
        return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"{(duplicate ? "duplicated" : "deleted")} line {at + 1}");
    }

    private static (byte[], string) SwapNumbers(byte[] input, SeededRandom random)
    {
        var text = Text(input);
        var numbers = Number().Matches(text);
        if (numbers.Count < 2) return (input, "swap numbers: fewer than two numbers");
        var a = numbers[random.NextInt(numbers.Count)];
        var b = numbers[random.NextInt(numbers.Count)];
        if (a.Index > b.Index) (a, b) = (b, a);
        if (a.Index == b.Index) return (input, "swap numbers: the same number twice");
        var swapped = text[..a.Index] + b.Value + text[(a.Index + a.Length)..b.Index] + a.Value + text[(b.Index + b.Length)..];
        return (Encoding.UTF8.GetBytes(swapped), $"swapped numbers '{a.Value}' at {a.Index} and '{b.Value}' at {b.Index}");
    }

    private static (byte[], string) ReplaceNumber(byte[] input, SeededRandom random)
    {
        var text = Text(input);
        var numbers = Number().Matches(text);
        if (numbers.Count == 0) return (input, "replace number: no number");
        var n = numbers[random.NextInt(numbers.Count)];
        var value = Weird[random.NextInt(Weird.Length)];
        return (Encoding.UTF8.GetBytes(text[..n.Index] + value + text[(n.Index + n.Length)..]), $"number '{n.Value}' at {n.Index} replaced by '{value}'");
    }

    private static (byte[], string) DeepNesting(byte[] input, SeededRandom random)
    {
        var lines = Text(input).Split('\n').ToList();
        var depth = 50 + random.NextInt(5000);
        var closed = random.NextInt(2) == 0;
        var open = random.NextInt(2) == 0 ? '[' : '{';
        var close = open == '[' ? ']' : '}';
        var body = open == '[' ? new string('[', depth) : string.Concat(Enumerable.Repeat("{a: ", depth));
        var line = "fuzz_nested: " + body + (closed ? new string(close, depth) : "");
        var at = random.NextInt(lines.Count + 1);
        lines.Insert(at, line);
        return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"{depth}-deep {(closed ? "closed" : "unclosed")} '{open}' nesting inserted as line {at + 1}");
    }

    private static (byte[], string) AliasBomb(byte[] input, SeededRandom random)
    {
        var levels = 4 + random.NextInt(9);
        var bomb = new StringBuilder("\nb0: &b0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= levels; level++)
            bomb.Append($"b{level}: &b{level} [{string.Join(", ", Enumerable.Repeat($"*b{level - 1}", 9))}]\n");
        return ([.. input, .. Encoding.UTF8.GetBytes(bomb.ToString())], $"alias bomb of {levels} levels of 9 aliases appended");
    }

    private static (byte[], string) InvalidUtf8(byte[] input, SeededRandom random)
    {
        byte[][] bad = [[0xFF], [0xC3, 0x28], [0x80], [0xE2, 0x82], [0xF0, 0x28, 0x8C, 0x28], [0xED, 0xA0, 0x80], [0x00]];
        var pick = bad[random.NextInt(bad.Length)];
        var at = random.NextInt(input.Length + 1);
        return ([.. input[..at], .. pick, .. input[at..]], $"invalid UTF-8 bytes {Convert.ToHexString(pick)} inserted at byte {at}");
    }

    private static (byte[], string) HeaderField(byte[] input, SeededRandom random)
    {
        var bytes = (byte[])input.Clone();
        var span = Math.Min(bytes.Length, 64);
        if (span < 4) return ByteFlip(input, random);
        var width = random.NextInt(2) == 0 ? 4 : 8;
        if (span < width) width = 4;
        var at = random.NextInt(span / width) * width;
        ulong[] values = [0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, random.NextUInt64()];
        var pick = random.NextInt(values.Length + 2);
        ulong value;
        string what;
        if (pick < values.Length) { value = values[pick]; what = $"0x{value:X}"; }
        else
        {
            // The field off by one, up or down.
            var old = width == 4 ? BitConverter.ToUInt32(bytes, at) : BitConverter.ToUInt64(bytes, at);
            value = pick == values.Length ? old + 1 : old - 1;
            what = pick == values.Length ? "+1" : "-1";
        }
        if (width == 4) BitConverter.TryWriteBytes(bytes.AsSpan(at, 4), (uint)value);
        else BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), value);
        return (bytes, $"header {width}-byte field at offset {at} set to {what}");
    }
}
