using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Models;
using MoESim.Parallelism;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Traces;
using MoESim.Runs;
using MoESim.Results;

namespace MoESim.Planning;

/// <summary>
/// Serves one replica's share of the requests on a capacity candidate's hardware (one device, or
/// expert parallelism on a system), with the profile loaded once per candidate.
/// </summary>
internal sealed class ReplicaServer
{
    private readonly ModelConfig _model;
    private readonly ModelWork _work;
    private readonly ServingConfig _serving;
    private readonly DeviceProfile? _device;
    private readonly IOperatorTimeModel? _timeModel;
    private readonly SystemTopology? _system;

    public ReplicaServer(CapacityCandidate candidate, ModelConfig model, ModelWork work, ServingConfig serving)
    {
        _model = model;
        _work = work;
        _serving = serving;
        if (candidate.DevicePath is { } devicePath)
        {
            _device = DeviceProfileLoader.Load(devicePath);
            _timeModel = OperatorTimeModels.For(_device);
        }
        else _system = SystemProfileLoader.Load(candidate.SystemPath ?? throw new ArgumentException("a candidate needs a device or a system path", nameof(candidate)));
        WhyNot = FitProblem();
    }

    /// <summary>Why the model cannot be served on the candidate (its weights do not fit), or null.</summary>
    public string? WhyNot { get; }

    /// <summary>Serves <paramref name="requests"/> routed by <paramref name="router"/> (null for a dense model on one device).</summary>
    public SimulationResult Serve(IReadOnlyList<Request> requests, IRoutingSource? router)
    {
        if (_device is not null)
            return ServingInstances.SingleDevice(_work, _device, _timeModel!, requests, router, _serving).Run();
        if (router is null) throw new InputException($"model {_model.Name}", "model", "expert-parallel serving on a system needs an MoE model");
        return ExpertParallelRunner.Run(_model, _system!, null, router, requests, new ExpertParallelConfig { Serving = _serving }).Serving;
    }

    // The servers' own memory checks decide: a weights-do-not-fit error becomes the reason the
    // candidate is skipped; any other input error stays an error.
    private string? FitProblem()
    {
        try
        {
            if (_device is not null) SingleDeviceMemory.Plan(_work, _device, _serving);
            else if (_model.Moe is { } moe)
                ExpertParallelMemory.For(_work, _system!, ExpertPlacement.Contiguous(_model.NumMoeLayers, moe.NumExperts, _system!.DeviceCount),
                    new ExpertParallelConfig { Serving = _serving });
            return null;
        }
        catch (InputException ex) when (ex.Errors.All(e => e.Field == "memory"))
        {
            return string.Join("; ", ex.Errors.Select(e => e.Problem));
        }
    }
}
