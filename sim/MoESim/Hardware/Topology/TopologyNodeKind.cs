namespace MoESim.Hardware.Topology;

/// <summary>What a vertex of a system topology is.</summary>
public enum TopologyNodeKind
{
    /// <summary>An accelerator that runs the model (a source and sink of traffic; never forwards it).</summary>
    Gpu,
    /// <summary>A network interface card (forwards traffic between a GPU and a fabric).</summary>
    Nic,
    /// <summary>A non-blocking switch (NVSwitch, InfiniBand switch).</summary>
    Switch,
}
