using System.Text;
using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench;

/// <summary>An ILGPU context and one accelerator, with the names reports and profiles use.</summary>
public sealed class BenchAccelerator : IDisposable
{
    private readonly Context _context;

    private BenchAccelerator(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    public Accelerator Accelerator { get; }

    /// <summary>True on a CUDA device.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>Human device name, e.g. "NVIDIA H100 80GB HBM3" or "CPUAccelerator".</summary>
    public string DeviceName => Accelerator.Name;

    /// <summary>File-name form of the device: lower case, letters, digits and dashes, e.g. "cpu-accelerator".</summary>
    public string Slug => SlugOf(IsCuda ? DeviceName : "cpu-accelerator");

    /// <summary>Largest threads per group the device allows (16 on the CPU accelerator).</summary>
    public int MaxGroupSize => Accelerator.MaxNumThreadsPerGroup;

    /// <summary>True when a CUDA device is present on this machine.</summary>
    public static bool CudaAvailable()
    {
        using var context = Context.Create(b => b.Default());
        return context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
    }

    /// <summary>Opens the chosen accelerator; throws <see cref="InvalidOperationException"/> when CUDA is asked for but absent.</summary>
    public static BenchAccelerator Create(AcceleratorChoice choice)
    {
        var context = Context.Create(b => b.Default().EnableAlgorithms());
        try
        {
            var cuda = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
            var cpu = context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU);
            var device = choice switch
            {
                AcceleratorChoice.Cpu => cpu,
                AcceleratorChoice.Cuda => cuda ?? throw new InvalidOperationException("no CUDA device found (use --accelerator cpu or auto)"),
                _ => cuda ?? cpu,
            };
            return new BenchAccelerator(context, device.CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Waits for every queued kernel.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    internal static string SlugOf(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
