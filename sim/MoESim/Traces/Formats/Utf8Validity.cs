using System.Text;
using System.Text.Unicode;

namespace MoESim.Traces.Formats;

/// <summary>
/// Finds the first byte of a line that is not valid UTF-8, so a text trace with a stray byte is
/// reported at its line and column instead of failing later when a string is transcoded.
/// </summary>
internal static class Utf8Validity
{
    /// <summary>0-based index of the first invalid byte of <paramref name="text"/>, or -1 if it is valid UTF-8.</summary>
    public static int FirstInvalidByte(ReadOnlySpan<byte> text)
    {
        if (Utf8.IsValid(text)) return -1;
        var at = 0;
        while (at < text.Length)
        {
            if (Rune.DecodeFromUtf8(text[at..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return at;
            at += consumed;
        }
        return -1;
    }

    /// <summary>The problem text for an invalid byte at <paramref name="index"/> of <paramref name="text"/>.</summary>
    public static string Problem(ReadOnlySpan<byte> text, int index) =>
        $"invalid UTF-8 (byte 0x{text[index]:X2}); a JSONL trace must be UTF-8 text";
}
