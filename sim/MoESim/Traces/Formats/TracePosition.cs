namespace MoESim.Traces.Formats;

/// <summary>
/// Where a step starts in a trace file, so a reader can come back to it: the byte offset of
/// its first line (text formats) or of its chunk (binary), the 1-based line number (text) and
/// the step's ordinal within its chunk (binary; 0 for text).
/// </summary>
public readonly record struct TracePosition(long ByteOffset, long Line, int StepInChunk);
