using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PrimeBroker.Streams.Engine.IntegrationTests.Support;

/// <summary>The CountApp child (tests/PrimeBroker.Streams.Engine.CountApp) as a separate OS process, with what it
/// reports on stdout: its state, its tasks and its errors.</summary>
internal sealed partial class CountAppProcess : IDisposable
{
    private const int Sigterm = 15;
    private const int Sigcont = 18;
    private const int Sigstop = 19;
    private readonly Process _process;
    private readonly List<string> _log = new();
    private readonly List<(long AtUnixMs, string[] Tasks)> _commits = new();
    private bool _disposed;

    private CountAppProcess(Process process) => _process = process;

    public string Name { get; private init; } = "";

    public string Tasks { get; private set; } = "";

    public string State { get; private set; } = "";

    public string? Error { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>Changelog records this process's restores applied.</summary>
    public long RestoredRecords { get; private set; }

    /// <summary>Changelog records this process's restores skipped because their transaction never committed.</summary>
    public long SkippedUncommittedRecords { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>The standby tasks it keeps (with <c>PBS_STANDBYS</c>), e.g. <c>0_1,0_3</c>.</summary>
    public string Standbys { get; private set; } = "";

    /// <summary>Changelog records its standby tasks applied, as last reported (with <c>PBS_STANDBYS</c>).</summary>
    public long StandbyApplied { get; private set; }

    public IReadOnlyList<int> Partitions => Tasks.Length == 0 ? [] : Tasks.Split(',').Select(t => int.Parse(t.Split('_')[1])).ToList();

    public static CountAppProcess Start(string name, string bootstrap, string applicationId, string stateDir, string input, string output, TimeSpan sessionTimeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PrimeBroker.Streams.Engine.CountApp.dll");
        Assert.True(File.Exists(dll), $"count app not built at {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        foreach (var argument in new[] { dll, bootstrap, applicationId, stateDir, input, output, ((int)sessionTimeout.TotalMilliseconds).ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the count app");
        var child = new CountAppProcess(process) { Name = name };
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data is null ? null : "stderr: " + e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL: no commit, no leave-group; the partitions move after the session timeout.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
        Tasks = "";
    }

    /// <summary>SIGSTOP: the process freezes (no heartbeat, no commit) but keeps its sockets and state; after the session
    /// timeout its partitions move.</summary>
    public void Freeze() => Assert.Equal(0, kill(_process.Id, Sigstop));

    /// <summary>SIGCONT: a frozen process runs on from where it stopped, as a zombie if its partitions moved.</summary>
    public void Thaw() => Assert.Equal(0, kill(_process.Id, Sigcont));

    /// <summary>SIGTERM: the app commits, closes its tasks and leaves the group.</summary>
    public async Task StopGracefullyAsync(TimeSpan timeout)
    {
        Assert.Equal(0, kill(_process.Id, Sigterm));
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        Assert.True(_process.ExitCode == 0, $"{Name} exited with {_process.ExitCode} after SIGTERM; last output:\n{Recent()}");
        Tasks = "";
    }

    /// <summary>The first commit (Unix ms, the child's clock) at or after <paramref name="sinceUnixMs"/> that covered
    /// any of <paramref name="tasks"/>, or null (only with <c>PBS_REPORT_COMMITS=1</c>).</summary>
    public long? FirstCommitOf(IReadOnlyCollection<string> tasks, long sinceUnixMs)
    {
        lock (_commits)
        {
            return _commits.Where(c => c.AtUnixMs >= sinceUnixMs && c.Tasks.Any(tasks.Contains)).Select(c => (long?)c.AtUnixMs).FirstOrDefault();
        }
    }

    /// <summary>The longest time, over <paramref name="tasks"/>, that one of them went without a commit between
    /// <paramref name="fromUnixMs"/> and <paramref name="toUnixMs"/> (the child's clock; only with
    /// <c>PBS_REPORT_COMMITS=1</c>): how long a rebalance held back tasks that stayed with this process.</summary>
    public long LongestCommitGap(IReadOnlyCollection<string> tasks, long fromUnixMs, long toUnixMs)
    {
        lock (_commits)
        {
            return tasks.Select(task =>
            {
                var times = _commits.Where(c => c.AtUnixMs > fromUnixMs && c.AtUnixMs < toUnixMs && c.Tasks.Contains(task))
                    .Select(c => c.AtUnixMs).Prepend(fromUnixMs).Append(toUnixMs).ToList();
                return times.Zip(times.Skip(1), (a, b) => b - a).Max();
            }).DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>Every warning the child's engine logged (its <c>log=</c> lines).</summary>
    public string Warnings()
    {
        lock (_log)
        {
            return string.Join("\n", _log.Where(l => l.StartsWith("log=", StringComparison.Ordinal)).TakeLast(60));
        }
    }

    public string Recent()
    {
        lock (_log)
        {
            return string.Join("\n", _log.TakeLast(15));
        }
    }

    /// <summary>Waits until the process ends by itself (e.g. it killed itself at a commit step).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Name} did not exit within {timeout.TotalSeconds} s; last output:\n{Recent()}");
        }

        Tasks = "";
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.StartsWith("commit=", StringComparison.Ordinal))
        {
            var at = line.IndexOf(':', StringComparison.Ordinal);
            lock (_commits)
            {
                _commits.Add((long.Parse(line[7..at], System.Globalization.CultureInfo.InvariantCulture), line[(at + 1)..].Split(',')));
            }

            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }

        if (line.StartsWith("tasks=", StringComparison.Ordinal)) { Tasks = line[6..]; }
        else if (line.StartsWith("state=", StringComparison.Ordinal)) { State = line[6..]; }
        else if (line.StartsWith("error=", StringComparison.Ordinal)) { Error = line[6..]; }
        else if (line == "stopped") { Stopped = true; }
        else if (line.StartsWith("standbys=", StringComparison.Ordinal)) { Standbys = line[9..]; }
        else if (line.StartsWith("standby-applied=", StringComparison.Ordinal)) { StandbyApplied = long.Parse(line[16..], System.Globalization.CultureInfo.InvariantCulture); }
        else if (line.StartsWith("restore=", StringComparison.Ordinal))
        {
            var parts = line[8..].Split(',');
            (RestoredRecords, SkippedUncommittedRecords) = (long.Parse(parts[0]), long.Parse(parts[1]));
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
