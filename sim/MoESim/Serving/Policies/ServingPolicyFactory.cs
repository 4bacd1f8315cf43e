using MoESim.Config;

namespace MoESim.Serving.Policies;

/// <summary>
/// The one place that maps a policy name to its type: an explicit <c>switch</c>, no reflection.
/// A new policy adds a record implementing <see cref="IServingPolicy"/> and a case in each switch.
/// </summary>
public static class ServingPolicyFactory
{
    /// <summary>Every policy name a scenario may use, in documentation order.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = new[] { SingleDevicePolicy.PolicyName, ExpertParallelPolicy.PolicyName, PipelineParallelPolicy.PolicyName };

    /// <summary>Whether <paramref name="name"/> is a known policy.</summary>
    public static bool IsKnown(string name) => KnownNames.Contains(name, StringComparer.Ordinal);

    /// <summary>The problem text for an unknown policy name, listing the known ones.</summary>
    public static string UnknownNameProblem(string name) =>
        $"unknown policy '{name}' (known: {string.Join(", ", KnownNames)})";

    /// <summary>
    /// The parameters the policy <paramref name="name"/> accepts. Throws <see cref="InputException"/>
    /// (<c>policy: name: ...</c>) for an unknown name, listing the known ones.
    /// </summary>
    public static IReadOnlyList<PolicyParameter> ParametersOf(string name) => name switch
    {
        SingleDevicePolicy.PolicyName => SingleDevicePolicy.Parameters,
        ExpertParallelPolicy.PolicyName => ExpertParallelPolicy.Parameters,
        PipelineParallelPolicy.PolicyName => PipelineParallelPolicy.Parameters,
        _ => throw new InputException("policy", "name", UnknownNameProblem(name)),
    };

    /// <summary>
    /// Every problem with <paramref name="policy"/>'s parameters as (parameter key, problem):
    /// unknown keys (listing the accepted ones) and values its <see cref="PolicyParameter.Check"/> rejects.
    /// Throws <see cref="InputException"/> for an unknown policy name.
    /// </summary>
    public static IReadOnlyList<(string Key, string Problem)> Check(ServingPolicy policy)
    {
        var accepted = ParametersOf(policy.Name);
        var problems = new List<(string, string)>();
        foreach (var (key, value) in policy.Parameters)
        {
            var parameter = accepted.FirstOrDefault(p => p.Key == key);
            if (parameter is null)
                problems.Add((key, accepted.Count == 0
                    ? $"unknown parameter: policy {policy.Name} takes no parameters"
                    : $"unknown parameter of policy {policy.Name} (known: {string.Join(", ", accepted.Select(p => p.Key))})"));
            else if (parameter.Check(value) is { } problem)
                problems.Add((key, problem));
        }
        return problems;
    }

    /// <summary>
    /// The typed policy <paramref name="policy"/> names, its parameters parsed (absent ones take
    /// their defaults). Throws <see cref="InputException"/> listing every problem: an unknown name
    /// (with the known ones), an unknown parameter, a bad value.
    /// </summary>
    public static IServingPolicy Create(ServingPolicy policy)
    {
        var problems = Check(policy);
        if (problems.Count > 0)
            throw new InputException(problems.Select(p => new InputError("policy", 0, 0, $"parameters.{p.Key}", p.Problem)).ToList());
        return policy.Name switch
        {
            SingleDevicePolicy.PolicyName => new SingleDevicePolicy(),
            ExpertParallelPolicy.PolicyName => ExpertParallelPolicy.From(policy.Parameters),
            PipelineParallelPolicy.PolicyName => PipelineParallelPolicy.From(policy.Parameters),
            _ => throw new InputException("policy", "name", UnknownNameProblem(policy.Name)),
        };
    }
}
