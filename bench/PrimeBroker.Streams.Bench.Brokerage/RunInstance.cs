using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// One process of the host program (<c>PrimeBroker.Streams.App.dll</c>, built with this bench) as a user runs it: a
/// <c>dev-cluster</c> or a <c>run</c> instance. Its output goes to a log file in the working directory; it can be
/// killed with SIGKILL or stopped with SIGTERM (what a container runtime sends on a rolling restart).
/// </summary>
internal sealed class RunInstance : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private RunInstance(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time (user and system) the process used so far; zero once it exited.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            try
            {
                return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return TimeSpan.Zero; // exited between the check and the read
            }
        }
    }

    /// <summary>The host program next to the bench's output: bench/…/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ ->
    /// host/PrimeBroker.Streams.App/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ (the bench's project reference builds it).</summary>
    public static string ProgramPath()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = output.Name;
        var configuration = output.Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(output.FullName, "..", "..", "..", "..", ".."));
        var path = Path.Combine(root, "host", "PrimeBroker.Streams.App", "bin", configuration, tfm, "PrimeBroker.Streams.App.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the host program is not built at {path}");
    }

    /// <summary>Starts <c>dotnet PrimeBroker.Streams.App.dll <paramref name="arguments"/></c> in <paramref name="directory"/>.</summary>
    public static RunInstance Start(string name, string directory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(ProgramPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StreamWriter(Path.Combine(directory, name + ".log"), append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        var instance = new RunInstance(name, process, log);
        process.OutputDataReceived += (_, e) => instance.Write(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    /// <summary>SIGKILL: no shutdown code runs, the group notices only by the session timeout.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, then waits up to <paramref name="timeout"/> for a graceful exit; SIGKILL after that.</summary>
    /// <returns>Whether it exited on its own.</returns>
    public bool StopGracefully(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (_process.WaitForExit(timeout))
        {
            return true;
        }

        KillHard();
        return false;
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}

/// <summary>The connection file a <c>dev-cluster</c> process writes (the host's <c>DevClusterInfo</c>, read as JSON).</summary>
internal sealed record DevClusterFile(string BootstrapServers, string SchemaRegistryUrl)
{
    public const string Name = ".dev-cluster.json";

    /// <summary>Waits up to <paramref name="timeout"/> for the file in <paramref name="directory"/> and reads it.</summary>
    public static DevClusterFile WaitFor(string directory, TimeSpan timeout, RunInstance cluster)
    {
        var path = Path.Combine(directory, Name);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!File.Exists(path))
        {
            if (cluster.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"dev-cluster wrote no {Name} within {timeout.TotalSeconds:0} s (see {cluster.Name}.log in {directory}).");
            }

            Thread.Sleep(100);
        }

        Thread.Sleep(100); // the file is written to a temporary name and moved; a moment for the move to settle
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return new DevClusterFile(json.RootElement.GetProperty("bootstrapServers").GetString()!, json.RootElement.GetProperty("schemaRegistryUrl").GetString()!);
    }
}
