using MoESim.Traces;

namespace MoESim.Serving.Loop;

/// <summary>Deals requests to instances in turn: the i-th request in arrival order goes to instance i mod N.</summary>
public sealed class RoundRobinRequestRouter : IRequestRouter
{
    /// <inheritdoc/>
    public int Route(Request request, int index, int instances) => index % instances;
}
