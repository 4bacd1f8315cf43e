namespace MoESim.Traces.Formats;

/// <summary>Writers accept only steps of their own shape: a mismatch is a programming error.</summary>
internal static class TraceShapeGuard
{
    public static void Check(TraceShape shape, RoutingStep step)
    {
        if (step.NumMoeLayers != shape.NumMoeLayers || step.TopK != shape.TopK)
            throw new ArgumentException($"step has {step.NumMoeLayers} layers, top-{step.TopK}; the trace is {shape.Describe()}", nameof(step));
        if (shape.HasGateWeights && !step.HasGateWeights)
            throw new ArgumentException("the trace has gate weights but the step has none", nameof(step));
    }
}
