using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace PrimeBroker.Streams.App.Tests;

/// <summary>The built program (<c>PrimeBroker.Streams.App.dll</c>) run as a separate OS process, as a user runs it:
/// its output lines are collected, and it can be sent SIGINT (Ctrl-C) or killed with SIGKILL.</summary>
internal sealed partial class AppProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private AppProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    internal string Name { get; }

    internal int Id => _process.Id;

    internal bool HasExited => _process.HasExited;

    internal int ExitCode => _process.ExitCode;

    internal IReadOnlyList<string> Lines => _lines.ToList();

    internal string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The program's dll: next to the tests when the build copied it, else in the host project's output.</summary>
    internal static string ProgramPath()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "PrimeBroker.Streams.App.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, "PrimeBroker.Streams.App.runtimeconfig.json")))
        {
            return local;
        }

        // tests/PrimeBroker.Streams.App.Tests/bin/<Configuration>/<tfm>/ -> host/PrimeBroker.Streams.App/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory).Name;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "host", "PrimeBroker.Streams.App", "bin", configuration, tfm, "PrimeBroker.Streams.App.dll");
        Assert.True(File.Exists(path), $"the program is not built at {path}");
        return path;
    }

    internal static AppProcess Start(string name, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(ProgramPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var app = new AppProcess(process, name);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                app._lines.Enqueue(e.Data);
                app._lineArrived.Release();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (app._stderr)
                {
                    app._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Waits for an output line matching <paramref name="match"/> (at or after index <paramref name="from"/>).</summary>
    internal async Task<(string Line, int Index)> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Lines;
            for (var i = from; i < lines.Count; i++)
            {
                if (match(lines[i]))
                {
                    return (lines[i], i);
                }
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                Assert.Fail($"{Name} exited ({_process.ExitCode}) before {what}.\n{Describe()}");
            }

            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"{Name}: no {what} within {timeout.TotalSeconds} s.\n{Describe()}");
            await _lineArrived.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    /// <remarks>A process started with SIGINT ignored keeps ignoring it (POSIX; .NET installs no handler then), and
    /// children inherit that: a test run started as a background job of a non-interactive shell (<c>dotnet test &amp;</c>
    /// in a script) would see the program "not stop on Ctrl-C". That is said plainly instead.</remarks>
    internal void Interrupt()
    {
        Assert.False(IgnoresSigint(_process.Id),
            $"{Name} ignores SIGINT because this test run was started with SIGINT ignored (e.g. as a background job of a " +
            "non-interactive shell), so Ctrl-C cannot be tested here; run the tests in the foreground or restore SIGINT first.");
        Assert.Equal(0, Kill(_process.Id, 2));
    }

    /// <summary>Whether process <paramref name="pid"/> ignores SIGINT (Linux: the SigIgn mask of /proc/pid/status).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return false; // not Linux: cannot tell
        }

        var mask = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return mask is not null && (ulong.Parse(mask["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber,
            System.Globalization.CultureInfo.InvariantCulture) & (1UL << (2 - 1))) != 0;
    }

    /// <summary>SIGKILL: no chance to commit or leave the group.</summary>
    internal void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit.</summary>
    internal async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the redirected streams
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    internal string Describe()
    {
        var lines = Lines;
        return $"--- {Name} stdout (last 40 of {lines.Count} lines):\n{string.Join('\n', lines.TakeLast(40))}\n--- stderr (tail):\n{Tail(StandardError, 4000)}";
    }

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Scratch directories and free ports for the process tests.</summary>
internal static class Scratch
{
    internal static string NewDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "pbs-app-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still hold a file for a moment; the temp folder is cleaned eventually.
        }
    }
}
