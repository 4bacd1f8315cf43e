namespace MoESim.Traces;

/// <summary>
/// Tokens one request contributes to one iteration: a prefill chunk or one decode token.
/// Routing sources that replay traces look experts up by (request, token index).
/// </summary>
/// <param name="RequestId">Request id from the request trace.</param>
/// <param name="FirstTokenIndex">Position of the first token in the request (prompt tokens first).</param>
/// <param name="TokenCount">Tokens in this slice (&gt;= 1).</param>
/// <param name="IsPrefill">True for prompt tokens, false for a generated token.</param>
public readonly record struct SequenceSlice(int RequestId, int FirstTokenIndex, int TokenCount, bool IsPrefill);
