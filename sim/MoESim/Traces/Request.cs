namespace MoESim.Traces;

/// <summary>One inference request of a request trace.</summary>
/// <param name="Id">0-based index in arrival order.</param>
/// <param name="ArrivalSeconds">Arrival time, seconds from the trace start (&gt;= 0).</param>
/// <param name="PromptTokens">Prompt length, tokens (&gt;= 1).</param>
/// <param name="OutputTokens">Tokens to generate, the first included (&gt;= 1).</param>
public readonly record struct Request(int Id, double ArrivalSeconds, int PromptTokens, int OutputTokens);
