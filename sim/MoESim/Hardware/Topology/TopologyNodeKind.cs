namespace MoESim.Hardware.Topology;

/// <summary>
/// What a vertex of a system topology is. Accelerators (<see cref="Gpu"/>, <see cref="Npu"/>,
/// <see cref="Pim"/>) and host CPUs are sources and sinks of traffic and never forward it; only
/// NICs and switches do.
/// </summary>
public enum TopologyNodeKind
{
    /// <summary>A GPU accelerator that runs the model (vertex names <c>gpu0..</c>).</summary>
    Gpu,
    /// <summary>A network interface card (forwards traffic between an accelerator and a fabric).</summary>
    Nic,
    /// <summary>A non-blocking switch (NVSwitch, InfiniBand switch).</summary>
    Switch,
    /// <summary>An NPU accelerator that runs the model (vertex names <c>npu0..</c>).</summary>
    Npu,
    /// <summary>A processing-in-memory device that runs (part of) the model (vertex names <c>pim0..</c>).</summary>
    Pim,
    /// <summary>A host CPU socket (vertex names <c>cpu0..</c>), joined to its accelerators by their host links.</summary>
    HostCpu,
}
