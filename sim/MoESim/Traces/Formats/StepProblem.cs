namespace MoESim.Traces.Formats;

/// <summary>What is wrong with a step: the field and a sentence; readers add the location.</summary>
public readonly record struct StepProblem(string Field, string Problem);
