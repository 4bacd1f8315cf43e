namespace MoESim.Results;

/// <summary>When a request arrived, produced its first token and finished (picoseconds).</summary>
public readonly record struct RequestOutcome(int Id, long ArrivalPicoseconds, long FirstTokenPicoseconds, long FinishPicoseconds, int PromptTokens, int OutputTokens)
{
    /// <summary>Time to first token, seconds.</summary>
    public double TtftSeconds => (FirstTokenPicoseconds - ArrivalPicoseconds) / 1e12;

    /// <summary>Mean time per output token after the first, seconds; NaN for one-token outputs.</summary>
    public double TpotSeconds => OutputTokens > 1 ? (FinishPicoseconds - FirstTokenPicoseconds) / 1e12 / (OutputTokens - 1) : double.NaN;

    /// <summary>Arrival to last token, seconds.</summary>
    public double EndToEndSeconds => (FinishPicoseconds - ArrivalPicoseconds) / 1e12;
}
