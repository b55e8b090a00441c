using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PrimeBroker.Streams.App.Tests.Dashboard;

/// <summary>
/// The built program's <c>demo</c> command as a separate OS process, as a user starts it: its own working directory,
/// HTTP on a free loopback port. Its output is kept for failure messages. Disposing stops it with
/// SIGINT (Ctrl-C), waits a bounded time, and kills it only if it did not stop.
/// </summary>
internal sealed class DemoProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly string _workDirectory;

    private DemoProcess(Process process, string workDirectory, string baseUrl)
    {
        _process = process;
        _workDirectory = workDirectory;
        BaseUrl = baseUrl;
    }

    /// <summary>The HTTP API's and dashboard's base URL, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    internal string BaseUrl { get; }

    /// <summary>Everything the process wrote so far (stdout and stderr, interleaved by line).</summary>
    internal string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>PrimeBroker.Streams.App demo</c> with <paramref name="extraArgs"/>; returns once it started (not
    /// once it is ready: use <see cref="WaitForOutputAsync"/>).</summary>
    internal static DemoProcess Start(params string[] extraArgs)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "PrimeBroker.Streams.App");
        if (!File.Exists(program))
        {
            throw new FileNotFoundException("The host executable is not beside the tests; build the test project.", program);
        }

        var work = Directory.CreateTempSubdirectory("primebroker-demo-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No --state-dir: as a user runs it, the demo uses (and removes) a fresh temporary state directory of its own.
        foreach (var arg in (string[])["demo", "--urls", $"http://127.0.0.1:{port}", .. extraArgs])
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var demo = new DemoProcess(process, work, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => demo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => demo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return demo;
    }

    /// <summary>Waits until a line containing <paramref name="text"/> was written.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>, or the process exited first; the
    /// message carries the output.</exception>
    internal async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waiters.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync();
        Task first;
        try
        {
            first = await Task.WhenAny(seen.Task, exited).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"demo did not write '{text}' within {timeout.TotalSeconds:0} s. Output:\n{Output}");
        }

        if (first != seen.Task)
        {
            throw new TimeoutException($"demo exited with {_process.ExitCode} before writing '{text}'. Output:\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }

            using var stop = new CancellationTokenSource(s_stopTimeout);
            try
            {
                await _process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
