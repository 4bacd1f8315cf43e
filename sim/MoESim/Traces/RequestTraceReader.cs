using System.Globalization;
using MoESim.Config;
using MoESim.Units;

namespace MoESim.Traces;

/// <summary>
/// Reads request traces from CSV. Accepted header layouts (detected from the header row):
/// <list type="bullet">
/// <item>MoESim: <c>arrival_s,prompt_tokens,output_tokens</c></item>
/// <item>Azure LLM inference traces: <c>TIMESTAMP,ContextTokens,GeneratedTokens</c> (timestamps are
/// date-times; arrival is seconds since the first)</item>
/// <item>Splitwise/Vidur processed: <c>arrived_at,num_prefill_tokens,num_decode_tokens</c></item>
/// </list>
/// Requests are returned in arrival order (stable for equal times) and renumbered from 0.
/// </summary>
public static class RequestTraceReader
{
    private static readonly (string Arrival, string Prompt, string Output, bool DateTime)[] Layouts =
    {
        ("arrival_s", "prompt_tokens", "output_tokens", false),
        ("TIMESTAMP", "ContextTokens", "GeneratedTokens", true),
        ("arrived_at", "num_prefill_tokens", "num_decode_tokens", false),
    };

    /// <summary>
    /// Reads the first <paramref name="maxRequests"/> rows (all when null; at least 1) as requests.
    /// Every row of the file is checked, also those past the first N, so a bad row is found
    /// wherever it is. A row with more or fewer fields than the header is an error, as is an
    /// arrival past <see cref="SimTime.MaxSeconds"/> (the simulated clock's range).
    /// </summary>
    public static IReadOnlyList<Request> Read(string path, int? maxRequests = null)
    {
        if (maxRequests is < 1) throw new ArgumentOutOfRangeException(nameof(maxRequests), maxRequests, "read at least one request");
        var display = YamlDocumentLoader.DisplayPath(path);
        if (!File.Exists(path)) throw new InputException(display, "", "file not found");
        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        if (header is null || header.Trim().Length == 0)
            throw new InputException(new InputError(display, 1, 0, "", "empty request trace: expected a header row and at least one request"));
        var columns = header.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
        var layout = Layouts.FirstOrDefault(l => columns.Contains(l.Arrival) && columns.Contains(l.Prompt) && columns.Contains(l.Output));
        if (layout.Arrival is null)
        {
            var expected = string.Join(" | ", Layouts.Select(l => $"{l.Arrival},{l.Prompt},{l.Output}"));
            throw new InputException(new InputError(display, 1, 1, "header", $"unrecognised columns '{header.Trim()}'; expected one of: {expected}"));
        }
        int ai = Array.IndexOf(columns, layout.Arrival), pi = Array.IndexOf(columns, layout.Prompt), oi = Array.IndexOf(columns, layout.Output);
        var requests = new List<Request>();
        var lines = new List<int>();
        var errors = new InputErrorList();
        DateTime? firstTimestamp = null;
        string? line;
        var lineNumber = 1;
        while ((line = reader.ReadLine()) is not null && errors.Count < 20)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != columns.Length)
            {
                // An extra field is pointed at (its column); a missing one has no place to point at.
                var column = cells.Length > columns.Length ? line.Length - string.Join(',', cells[columns.Length..]).Length + 1 : 0;
                errors.Add(display, lineNumber, column, "", $"expected {columns.Length} comma-separated fields, got {cells.Length}");
                continue;
            }
            double arrival;
            if (layout.DateTime)
            {
                if (!DateTime.TryParse(cells[ai].Trim().Trim('"'), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var ts))
                {
                    errors.Add(display, lineNumber, 0, layout.Arrival, $"expected a date-time, got '{cells[ai]}'");
                    continue;
                }
                firstTimestamp ??= ts;
                arrival = (ts - firstTimestamp.Value).TotalSeconds;
            }
            else if (!double.TryParse(cells[ai], NumberStyles.Float, CultureInfo.InvariantCulture, out arrival) || !double.IsFinite(arrival) || arrival < 0)
            {
                errors.Add(display, lineNumber, 0, layout.Arrival, $"expected a non-negative number of seconds, got '{cells[ai]}'");
                continue;
            }
            else if (arrival >= SimTime.MaxSeconds)
            {
                errors.Add(display, lineNumber, 0, layout.Arrival, PastLimit(arrival));
                continue;
            }
            var prompt = ParseTokens(cells[pi], display, lineNumber, layout.Prompt, errors);
            var output = ParseTokens(cells[oi], display, lineNumber, layout.Output, errors);
            // Rows past the first N are checked, not kept.
            if (prompt > 0 && output > 0 && (maxRequests is null || requests.Count < maxRequests))
            {
                requests.Add(new Request(requests.Count, arrival, prompt, output));
                lines.Add(lineNumber);
            }
        }
        errors.ThrowIfAny();
        if (requests.Count == 0)
            throw new InputException(new InputError(display, lineNumber, 0, "", "empty request trace: the header is there but no request rows follow"));
        // Azure traces can start mid-stream with earlier timestamps later on; order by arrival.
        var order = Enumerable.Range(0, requests.Count).OrderBy(i => requests[i].ArrivalSeconds).ToList();
        var origin = Math.Min(0, requests[order[0]].ArrivalSeconds);
        var last = order[^1];
        if (requests[last].ArrivalSeconds - origin >= SimTime.MaxSeconds)
            throw new InputException(new InputError(display, lines[last], 0, layout.Arrival, PastLimit(requests[last].ArrivalSeconds - origin) + " (counted from the earliest request)"));
        return order.Select((r, i) => requests[r] with { Id = i, ArrivalSeconds = requests[r].ArrivalSeconds - origin }).ToList();
    }

    private static string PastLimit(double arrivalSeconds) =>
        $"arrival at {arrivalSeconds:G4} s is past the latest simulated time, {SimTime.LimitText}";

    private static int ParseTokens(string cell, string file, int line, string field, InputErrorList errors)
    {
        if (int.TryParse(cell.Trim().Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1)
            return value;
        if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 1 && d == Math.Floor(d) && d < int.MaxValue)
            return (int)d;
        errors.Add(file, line, 0, field, $"expected a whole number of tokens >= 1, got '{cell.Trim()}'");
        return 0;
    }
}
