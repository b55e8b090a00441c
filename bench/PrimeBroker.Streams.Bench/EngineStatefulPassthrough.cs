using System.Globalization;
using System.Diagnostics.Metrics;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Embedded;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Bench;

/// <summary>
/// Contender (b): the engine under exactly_once_v2 with default settings (commit interval as given, 1 stream thread)
/// running a stateful passthrough: per record one Get and one Put on a persistent (RocksDB) store with a changelog, then
/// forward to the output.
/// </summary>
internal static class EngineStatefulPassthrough
{
    public const string Store = "last-seen";

    public static async Task<RunResult> RunAsync(EmbeddedKafkaCluster cluster, string input, string output, int partitions, string applicationId,
        string stateDirectory, TimeSpan commitInterval, long expected, RunProbe probe, int? fetchWaitMaxMs = null, Action? onRunning = null,
        TimeSpan? minCommitInterval = null)
    {
        var builder = new StreamsBuilder();
        builder.AddStateStore(Stores.PersistentKeyValueStore(Store, Serdes.String, Serdes.ByteArray));
        builder.Stream(input, Consumed.With(Serdes.String, Serdes.ByteArray))
            .ProcessValues(() => new LastSeenProcessor(probe), [Store])
            .To(output, Produced.With(Serdes.String, Serdes.ByteArray));
        var config = new StreamsConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ApplicationId = applicationId,
            StateDirectory = stateDirectory,
            CommitInterval = commitInterval,
            NumStreamThreads = 1,
            ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2,
            TopicProvisioner = cluster.CreateTopicProvisioner(),
            // The host's setting for an embedded cluster, which stores no transactional offsets (host/README.md).
            TransactionalGroupOffsets = false,
            ClientConfig = fetchWaitMaxMs is { } wait ? new Dictionary<string, string> { ["fetch.wait.max.ms"] = wait.ToString(CultureInfo.InvariantCulture) } : new Dictionary<string, string>(),
        };

        if (minCommitInterval is { } min)
        {
            config = config with { MinCommitInterval = min };
        }

        StreamsApplication? app = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name == EngineMetrics.CommitLatencyInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Runs on the stream thread inside the commit, after the Kafka commit returned and the local batch was applied.
        listener.SetMeasurementEventCallback<double>((_, durationSeconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == EngineMetrics.ApplicationAttribute && (string?)tag.Value == applicationId && app is not null)
                {
                    probe.OnCommitted(durationSeconds * 1000, app.Metrics.ProcessedTotal >= expected);
                }
            }
        });
        listener.Start();

        app = new StreamsApplication(builder.Build(), config);
        try
        {
            await app.StartAsync();
            if (onRunning is not null)
            {
                while (app.State != StreamsState.Running)
                {
                    if (app.State == StreamsState.Error)
                    {
                        throw new InvalidOperationException(string.Join("; ", app.Errors));
                    }

                    await Task.Delay(5);
                }

                onRunning();
            }

            await Task.Run(() => probe.WaitForEnd(TimeSpan.FromSeconds(120),
                () => app.State == StreamsState.Error ? $"engine failed: {string.Join("; ", app.Errors)}" : null));
            var processed = app.Metrics.ProcessedTotal;
            var aborts = app.Metrics.AbortsTotal;
            await app.StopAsync();
            var (outHigh, _) = Workload.Watermarks(cluster.BootstrapServers, output, partitions);
            var (inHigh, inLow) = Workload.Watermarks(cluster.BootstrapServers, input, partitions);
            var (changelogHigh, _) = Workload.Watermarks(cluster.BootstrapServers, $"{applicationId}-{Store}-changelog", partitions);
            var ok = processed == expected && aborts == 0 && outHigh >= expected && inLow == 0 && inHigh == expected;
            return new RunResult("b engine stateful EOS", processed, probe.Elapsed, probe.Commits, probe.MeanCommitMs, probe.P99CommitMs, ok,
                $"ProcessedTotal {processed}/{expected}, aborts {aborts}, CommitsTotal {app.Metrics.CommitsTotal}, changelog end offsets sum {changelogHigh}, " +
                $"output end offsets sum {outHigh}, " +
                $"input low watermarks min {inLow}, input end offsets sum {inHigh}")
            {
                Latency = probe.LatencySummary,
            };
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>One Get and one Put of the record per record, then forward it unchanged.</summary>
    private sealed class LastSeenProcessor(RunProbe probe) : IProcessor<string, byte[], string, byte[]>
    {
        private IProcessorContext<string, byte[]> _context = null!;
        private IKeyValueStore<string, byte[]> _store = null!;

        public long Hits { get; private set; }

        public void Init(IProcessorContext<string, byte[]> context)
        {
            _context = context;
            _store = context.GetStateStore<string, byte[]>(Store);
        }

        public void Process(Record<string, byte[]> record)
        {
            probe.OnRecord(record.Timestamp);
            if (_store.Get(record.Key) is not null)
            {
                Hits++;
            }

            _store.Put(record.Key, record.Value);
            _context.Forward(record);
        }
    }
}
