using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Polls the readiness endpoint of every <c>run</c> instance every 200 ms (the body carries every task with its state,
/// also while the answer is 503) and keeps, per instance, which trade-events partitions it runs (task
/// <c>&lt;trade sub-topology&gt;_&lt;partition&gt;</c> in state Running), which it holds in any active state (running,
/// restoring, retrying: a moved partition that waits for its restore belongs to its new owner), and its status. Also
/// reads the instances'
/// Prometheus counters (restored changelog records, records applied by standbys).
/// </summary>
internal sealed class OwnershipWatch : IDisposable
{
    private readonly HttpClient[] _clients;
    private readonly string _tradeTaskPrefix;
    private readonly List<(long Ticks, int Instance, HashSet<int> Running, HashSet<int> Held, string Status)> _samples = new();
    private readonly Thread _thread;
    private volatile bool _stop;

    public OwnershipWatch(IReadOnlyList<int> ports, int tradeSubTopology)
    {
        _clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(2) }).ToArray();
        _tradeTaskPrefix = tradeSubTopology.ToString(CultureInfo.InvariantCulture) + "_";
        _thread = new Thread(Run) { IsBackground = true, Name = "ownership-watch" };
        _thread.Start();
    }

    /// <summary>The last answer of <paramref name="instance"/> given after <paramref name="since"/> (Stopwatch ticks): its
    /// status and the trade partitions it runs; null when it did not answer since then.</summary>
    public (string Status, HashSet<int> Running)? Latest(int instance, long since)
    {
        lock (_samples)
        {
            for (var i = _samples.Count - 1; i >= 0 && _samples[i].Ticks > since; i--)
            {
                if (_samples[i].Instance == instance)
                {
                    return (_samples[i].Status, _samples[i].Running);
                }
            }
        }

        return null;
    }

    /// <summary>Owners seen running each partition between <paramref name="fromTicks"/> and <paramref name="toTicks"/>;
    /// with <paramref name="held"/>, also those that held it without running it (restoring, retrying).</summary>
    public Dictionary<int, HashSet<int>> OwnersBetween(long fromTicks, long toTicks, bool held = false)
    {
        var owners = new Dictionary<int, HashSet<int>>();
        lock (_samples)
        {
            foreach (var (ticks, instance, running, holding, _) in _samples)
            {
                if (ticks < fromTicks || ticks > toTicks)
                {
                    continue;
                }

                foreach (var partition in held ? holding : running)
                {
                    (owners.TryGetValue(partition, out var set) ? set : owners[partition] = new HashSet<int>()).Add(instance);
                }
            }
        }

        return owners;
    }

    /// <summary>Prometheus name of <c>kafka.streams.restore</c>: changelog records restored by tasks becoming active.</summary>
    public const string RestoredCounter = "kafka_streams_restore_total";

    /// <summary>Prometheus name of <c>kafka.streams.update</c>: changelog records applied by standby tasks.</summary>
    public const string StandbyAppliedCounter = "kafka_streams_update_total";

    /// <summary>The sum of the Prometheus counter <paramref name="name"/> over its series that an instance reports on
    /// <c>/metrics</c> (0 when it does not answer).</summary>
    public async Task<long> CounterAsync(int instance, string name)
    {
        try
        {
            var text = await _clients[instance].GetStringAsync("/metrics");
            long sum = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is ' ' or '{'))
                {
                    sum += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                }
            }

            return sum;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or FormatException)
        {
            return 0;
        }
    }

    private void Run()
    {
        while (!_stop)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < _clients.Length; i++)
            {
                if (Read(i) is { } sample)
                {
                    lock (_samples)
                    {
                        _samples.Add((Stopwatch.GetTimestamp(), i, sample.Running, sample.Held, sample.Status));
                    }
                }
            }

            var spent = Stopwatch.GetElapsedTime(started);
            if (spent < TimeSpan.FromMilliseconds(200))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(200) - spent);
            }
        }
    }

    private (HashSet<int> Running, HashSet<int> Held, string Status)? Read(int instance)
    {
        try
        {
            using var response = _clients[instance].GetAsync("/health/ready").GetAwaiter().GetResult();
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            using var json = JsonDocument.Parse(body);
            var data = json.RootElement.GetProperty("checks").GetProperty("streams").GetProperty("data");
            var running = new HashSet<int>();
            var held = new HashSet<int>();
            foreach (var task in data.GetProperty("tasks").EnumerateArray())
            {
                // "<sub-topology>_<partition> <State> lag=<n>"
                var parts = task.GetString()!.Split(' ');
                if (parts.Length >= 2 && parts[0].StartsWith(_tradeTaskPrefix, StringComparison.Ordinal) && parts[1] != "Standby")
                {
                    var partition = int.Parse(parts[0][_tradeTaskPrefix.Length..], CultureInfo.InvariantCulture);
                    held.Add(partition);
                    if (parts[1] == "Running")
                    {
                        running.Add(partition);
                    }
                }
            }

            return (running, held, data.GetProperty("status").GetString()!);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // not listening (killed, starting) or no streams data yet
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
