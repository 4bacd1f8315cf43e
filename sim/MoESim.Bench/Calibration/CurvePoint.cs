namespace MoESim.Bench.Calibration;

/// <summary>One measured kernel as calibration sees it: work, launches, threads launched and median time in seconds.</summary>
public readonly record struct CurvePoint(double Flops, double Bytes, int Kernels, double Seconds, double Threads = 0);
