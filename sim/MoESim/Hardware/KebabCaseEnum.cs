using System.Text;

namespace MoESim.Hardware;

/// <summary>Enumeration values as profiles spell them: <c>GpuTensorCore</c> is <c>gpu-tensor-core</c>.</summary>
internal static class KebabCaseEnum
{
    /// <summary>The kebab-case spelling of <paramref name="value"/>.</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        var pascal = value.ToString();
        var sb = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            // A digit run stays attached to its word: CpuAvx512 is cpu-avx512.
            if (i > 0 && char.IsUpper(pascal[i])) sb.Append('-');
            sb.Append(char.ToLowerInvariant(pascal[i]));
        }
        return sb.ToString();
    }

    /// <summary>Every value's spelling, comma-separated, for error messages.</summary>
    public static string AcceptedNames<TEnum>() where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetValues<TEnum>().Select(Name));

    /// <summary>Parses an exact kebab-case spelling.</summary>
    public static bool TryParse<TEnum>(string text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
