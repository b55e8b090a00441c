using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Settings of a <see cref="TopologyTestDriver"/>.</summary>
/// <remarks>Immutable; read once by the driver's constructor.</remarks>
public sealed record TopologyTestDriverOptions
{
    /// <summary>Prefix of internal topic names (<c>&lt;id&gt;-&lt;store&gt;-changelog</c>,
    /// <c>&lt;id&gt;-&lt;name&gt;-repartition</c>) and of the RocksDB directory. Default <c>test-app</c>.</summary>
    public string ApplicationId { get; init; } = "test-app";

    /// <summary>Initial wall-clock time; moved only by <see cref="TopologyTestDriver.AdvanceWallClockTime"/>.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Partitions of a topic not named in <see cref="Partitions"/>. Default 1.</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>Partition counts by topic name (internal topics by their full name).</summary>
    public IReadOnlyDictionary<string, int> Partitions { get; init; } = new Dictionary<string, int>();

    /// <summary>Commit after every piped record (like Kafka Streams' driver). Off: call <see cref="TopologyTestDriver.Commit"/>.</summary>
    public bool AutoCommit { get; init; } = true;

    /// <summary>Where persistent stores live (RocksDB); null keeps them in memory, surviving simulated crashes as a disk would.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Behave like librdkafka's mock cluster: readers see uncommitted and aborted records, and transactional
    /// offset commits are not stored. Lets tests prove the engine is exact on the embedded cluster too.</summary>
    public bool EmulateEmbeddedClusterLimits { get; init; }

    /// <summary>For engine tests: run the engine's real transaction wrapper (delivery accounting, unknown commit
    /// outcomes, producer replacement) over in-memory producers instead of the driver's plain in-memory transaction.</summary>
    internal bool UseKafkaTransaction { get; init; }

    /// <summary>Decides about input that cannot be deserialized. Default: fail (unlike
    /// <see cref="StreamsConfig.DeserializationExceptionHandler"/>, whose default dead-letters), so a test sees the
    /// error as an exception.</summary>
    public IDeserializationExceptionHandler DeserializationHandler { get; init; } = FailOnErrorHandler.Instance;

    /// <summary>Decides about exceptions thrown by processors. Default: fail.</summary>
    public IProcessingExceptionHandler ProcessingHandler { get; init; } = FailOnErrorHandler.Instance;

    /// <summary>Decides about output records that cannot be serialized. Default: fail.</summary>
    public IProductionExceptionHandler ProductionHandler { get; init; } = FailOnErrorHandler.Instance;
}
