namespace MoESim.Traces.Formats;

/// <summary>
/// Running totals of a trace: distinct requests, steps, prefill and decode tokens, expert
/// selections. Writers store them in headers; <c>trace check</c> prints them.
/// </summary>
public sealed class TraceCounts
{
    private readonly HashSet<int> _requests = new();

    /// <summary>Distinct request ids seen.</summary>
    public long Requests => _requests.Count;
    /// <summary>Steps (one request's one iteration).</summary>
    public long Steps { get; private set; }
    /// <summary>Prompt tokens over all prefill steps.</summary>
    public long PrefillTokens { get; private set; }
    /// <summary>Generated tokens over all decode steps.</summary>
    public long DecodeTokens { get; private set; }
    /// <summary>Expert selections: tokens × layers × top-k, summed over steps.</summary>
    public long Selections { get; private set; }

    /// <summary>Adds one step.</summary>
    public void Add(RoutingStep step)
    {
        _requests.Add(step.RequestId);
        Steps++;
        if (step.IsPrefill) PrefillTokens += step.TokenCount; else DecodeTokens += step.TokenCount;
        Selections += (long)step.TokenCount * step.NumMoeLayers * step.TopK;
    }
}
