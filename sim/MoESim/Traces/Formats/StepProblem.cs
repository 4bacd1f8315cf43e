namespace MoESim.Traces.Formats;

/// <summary>
/// What is wrong with a step: the field and a sentence; readers add the location. A problem in
/// one token's selections also names its <see cref="Layer"/> and <see cref="TokenInStep"/>
/// (0-based within the step), so a reader with a record per layer or per token can point at
/// that record; both are -1 for a problem of the step as a whole.
/// </summary>
public readonly record struct StepProblem(string Field, string Problem, int Layer = -1, int TokenInStep = -1);
