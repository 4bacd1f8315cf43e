using System.Text.Json.Serialization;

namespace MoESim.Traces.Statistics;

/// <summary>The stats.json document: the trace path and everything measured.</summary>
internal sealed record StatisticsFile(string Trace, TraceStatistics Statistics);

/// <summary>
/// Source-generated JSON metadata for stats.json (snake_case names; NaN of an empty phase written
/// as the string "NaN", JSON having no NaN): no reflection pass when the CLI writes its first file.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StatisticsFile))]
internal sealed partial class StatisticsJsonContext : JsonSerializerContext;
