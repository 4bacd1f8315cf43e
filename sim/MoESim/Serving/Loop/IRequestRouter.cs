using MoESim.Traces;

namespace MoESim.Serving.Loop;

/// <summary>Picks the instance of a cluster that serves a request (a load balancer in front of the instances).</summary>
public interface IRequestRouter
{
    /// <summary>The instance (0 .. <paramref name="instances"/> − 1) that serves <paramref name="request"/>, the <paramref name="index"/>-th in arrival order.</summary>
    int Route(Request request, int index, int instances);
}
