using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>Where one trace request starts and how much it holds (built in one streaming pass).</summary>
/// <param name="RequestId">The request id in the trace.</param>
/// <param name="FirstStep">Position of its first step in the file.</param>
/// <param name="Steps">Its steps.</param>
/// <param name="PrefillTokens">Tokens over its prefill steps.</param>
/// <param name="DecodeTokens">Tokens over its decode steps.</param>
internal readonly record struct ReplayIndexEntry(int RequestId, TracePosition FirstStep, int Steps, int PrefillTokens, int DecodeTokens);
