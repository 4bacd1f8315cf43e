using System.CommandLine;

namespace MoESim.Cli;

/// <summary>
/// "Did you mean" for a mistyped option or command: the closest name the command being parsed
/// accepts, when it is at most two edits away (or a third of the word for long names).
/// </summary>
internal static class TypoSuggestions
{
    /// <summary>The known name closest to <paramref name="token"/> among <paramref name="command"/>'s options (for a token starting with '-') or subcommands; null when none is close.</summary>
    public static string? For(Command command, string token)
    {
        var names = token.StartsWith('-')
            ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name));
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            int d = Distance(token, name);
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(name, best) < 0))
            {
                best = name;
                bestDistance = d;
            }
        }
        int allowed = Math.Max(2, token.Length / 3);
        return bestDistance > 0 && bestDistance <= allowed ? best : null;
    }

    // Levenshtein distance (insertions, deletions, substitutions), two rows.
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
