using PrimeBroker.Streams.Bench;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// The ceiling: the raw Confluent.Kafka exactly-once copy loop of <c>PrimeBroker.Streams.Bench</c> (read_committed
/// consumer, transactional producer, SendOffsetsToTransaction + CommitTransaction every commit interval, no state)
/// draining a backlog of the same serialized trades over 20 partitions, on a fresh embedded cluster in this process.
/// </summary>
internal static class RawCeilingPhase
{
    public sealed record Result(double RecordsPerSecond, long Records, bool Verified, string Verification, long Commits, double MeanCommitMs, double MiBPerPartition);

    public static async Task<Result> RunAsync(BrokerageBenchOptions options, TextWriter log)
    {
        await using var environment = await BrokerageEnvironment.CreateAsync(options);
        var flow = environment.NewFlow(options, options.Seed + 1);
        var chunk = flow.Next(UniqueFor(options.RawRecords, options), releaseHeldBack: true);
        var partitions = flow.Partitions;
        var mib = (chunk.ValueBytes + chunk.Count * 33.0) / partitions / 1024 / 1024; // key + record overhead
        if (mib > 5 * 0.75)
        {
            throw new InvalidOperationException($"the raw backlog would take {mib:0.00} MiB per partition, above 3/4 of the mock's 5 MiB cap; lower --raw-records.");
        }

        const string input = "raw-trades-in";
        const string output = "raw-trades-out";
        environment.Cluster.CreateTopic(input, partitions, 3);
        environment.Cluster.CreateTopic(output, partitions, 3);
        using (var sender = new Sender(environment.Cluster.BootstrapServers))
        {
            sender.Send(chunk, 1e9, null, input);
            sender.Flush();
        }

        log.WriteLine($"raw: {chunk.Count:N0} serialized trades pre-loaded ({mib:0.00} MiB per partition), draining ...");
        var r = await Task.Run(() => RawCopyLoop.Run(environment.Cluster.BootstrapServers, input, output, partitions, "raw-copy-loop",
            options.CommitInterval, chunk.Count, new RunProbe(trackLatency: false)));
        return new Result(r.RecordsPerSecond, r.Records, r.Verified, r.Verification, r.Commits, r.MeanCommitMs, mib);
    }

    /// <summary>Unique trades that give about <paramref name="sends"/> sends with the duplicate share on top.</summary>
    public static int UniqueFor(double sends, BrokerageBenchOptions options) => Math.Max(1, (int)(sends * (1 - options.DuplicatePercent / 100.0)));
}
