using System.Runtime.InteropServices;

namespace MoESim.Tests.Plots;

/// <summary>
/// Captures what native code (Skia's SkDebugf) writes to file descriptor 2 while an action runs.
/// Console.SetError cannot see it: the text bypasses .NET and goes straight to the descriptor,
/// so the descriptor itself is pointed at a temporary file and restored afterwards. Unix only.
/// </summary>
internal static partial class NativeStderr
{
    private const int StderrFd = 2;

    public static string Capture(Action action)
    {
        string path = Path.GetTempFileName();
        int saved = Dup(StderrFd);
        if (saved < 0)
            throw new InvalidOperationException("dup(2) failed");
        try
        {
            using (FileStream file = new(path, FileMode.Create, FileAccess.Write))
            {
                if (Dup2((int)file.SafeFileHandle.DangerousGetHandle(), StderrFd) < 0)
                    throw new InvalidOperationException("dup2 onto stderr failed");
                try
                {
                    action();
                }
                finally
                {
                    Dup2(saved, StderrFd);
                }
            }

            return File.ReadAllText(path);
        }
        finally
        {
            Close(saved);
            File.Delete(path);
        }
    }

    [DllImport("libc", EntryPoint = "dup")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Dup2(int fd, int target);

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
