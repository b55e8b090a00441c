using System.Globalization;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// CPU time of this process's threads, grouped by what they do, from <c>/proc/self/task/*/stat</c> (Linux; elsewhere
/// every reading is empty). The bench process holds the embedded cluster, the application and the trade generator,
/// so the groups show which of them saturates first: the stream threads, librdkafka's per-broker threads of every
/// client, the embedded cluster's single thread (librdkafka's mock serves every request of every client on it), the
/// generator, the JIT, the garbage collector.
/// </summary>
/// <remarks>Threads are told apart by their name as the kernel keeps it (15 characters): a stream thread's name starts
/// with the application id; librdkafka names its threads <c>rdk:broker…</c>, <c>rdk:main</c> and, for the mock, <c>rdk:mock</c>.</remarks>
internal sealed class ThreadCpu
{
    private static readonly double s_ticksPerSecond = 100; // USER_HZ: 100 on every Linux this bench runs on
    private readonly string _streamPrefix;

    /// <param name="applicationId">The application's id: its stream threads' names start with it.</param>
    public ThreadCpu(string applicationId) => _streamPrefix = applicationId.Length > 15 ? applicationId[..15] : applicationId;

    /// <summary>CPU seconds per thread id (with its group) so far.</summary>
    public IReadOnlyDictionary<int, (string Group, double Seconds)> Read()
    {
        var result = new Dictionary<int, (string, double)>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                    // Fields after the parenthesised name: state is field 3; utime and stime are fields 14 and 15.
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    result[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (GroupOf(name), ticks / s_ticksPerSecond);
                }
                catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return result;
    }

    /// <summary>Each group's share of one core between two readings, largest first, e.g.
    /// <c>stream 78%, rdk:mock 41%, rdk:broker 35%, …; process 187% of 200%</c>; empty without /proc. With
    /// <paramref name="sends"/> (the records the stream threads processed in between) it adds the stream threads' CPU
    /// per send, the figure that tells a cheaper hot path from a quieter machine (a share of a core moves with the load,
    /// CPU time per record much less).</summary>
    public static string Between(IReadOnlyDictionary<int, (string Group, double Seconds)> before, IReadOnlyDictionary<int, (string Group, double Seconds)> after,
        double elapsedSeconds, long sends = 0)
    {
        if (after.Count == 0 || elapsedSeconds <= 0)
        {
            return "";
        }

        var groups = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (id, (group, seconds)) in after)
        {
            var earlier = before.TryGetValue(id, out var b) ? b.Seconds : 0;
            groups[group] = groups.GetValueOrDefault(group) + Math.Max(0, seconds - earlier);
        }

        var total = groups.Values.Sum();
        var parts = groups.Where(g => g.Value / elapsedSeconds >= 0.02).OrderByDescending(g => g.Value)
            .Select(g => $"{g.Key} {g.Value / elapsedSeconds * 100:0}%");
        var perSend = sends > 0 ? $"; stream {groups.GetValueOrDefault("stream") / sends * 1e6:0} us CPU per send ({sends:N0} sends)" : "";
        return string.Join(", ", parts) + $"; process {total / elapsedSeconds * 100:0}% of {Environment.ProcessorCount * 100}%" + perSend;
    }

    private string GroupOf(string name) =>
        name.StartsWith(_streamPrefix, StringComparison.Ordinal) ? "stream"
        : name.StartsWith("rdk:broker", StringComparison.Ordinal) ? "rdk:broker"
        : name.StartsWith("rdk:", StringComparison.Ordinal) ? name
        : name.StartsWith("pbs-transaction", StringComparison.Ordinal) ? "transaction calls"
        : name == "sender" ? "generator"
        : name.StartsWith(".NET Tiered", StringComparison.Ordinal) ? "JIT"
        : name.StartsWith(".NET BGC", StringComparison.Ordinal) || name.StartsWith(".NET Server GC", StringComparison.Ordinal) ? "GC"
        : name.StartsWith(".NET TP", StringComparison.Ordinal) ? "thread pool"
        : name.StartsWith("rocksdb", StringComparison.Ordinal) ? "rocksdb"
        : "other";
}
