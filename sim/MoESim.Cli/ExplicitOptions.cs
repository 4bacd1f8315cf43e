using System.CommandLine;
using System.CommandLine.Parsing;

namespace MoESim.Cli;

/// <summary>Tells options the user typed from ones that only took their default value.</summary>
internal static class ExplicitOptions
{
    /// <summary>
    /// True when <paramref name="option"/> was given on the command line: System.CommandLine
    /// returns no result for an absent option without a default, and an implicit one for an
    /// absent option with a default.
    /// </summary>
    public static bool IsExplicit(ParseResult parse, Option option) => parse.GetResult(option) is OptionResult { Implicit: false };
}
