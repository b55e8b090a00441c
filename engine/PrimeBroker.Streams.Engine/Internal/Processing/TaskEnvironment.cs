using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Internal.State;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>What a task needs from whoever runs it (stream thread or test driver).</summary>
internal sealed class TaskEnvironment
{
    public required string ApplicationId { get; init; }

    /// <summary>Root of the local state (<c>&lt;state.dir&gt;/&lt;application.id&gt;</c>); null keeps persistent stores in memory.</summary>
    public required string? StateDirectory { get; init; }

    public required IRecordCollector Collector { get; init; }

    public required Func<long> Clock { get; init; }

    public required IDeserializationExceptionHandler DeserializationHandler { get; init; }

    public required IProcessingExceptionHandler ProcessingHandler { get; init; }

    public required IProductionExceptionHandler ProductionHandler { get; init; }

    public required IReadOnlyDictionary<string, IBytesStore> GlobalStores { get; init; }

    public required EngineMetrics Metrics { get; init; }

    /// <summary>RocksDB's shared block cache and write-buffer manager; null: <see cref="RocksDbMemory.Default"/>.</summary>
    public RocksDbMemory? Memory { get; init; }

    /// <summary>Opens a task's committed stores; replaceable so the test driver can keep "disk" across simulated crashes.</summary>
    public Func<TaskId, IReadOnlyList<StoreBuilder>, TaskState>? StateFactory { get; init; }

    public TaskState OpenState(TaskId task, IReadOnlyList<StoreBuilder> builders) =>
        StateFactory?.Invoke(task, builders) ?? TaskState.Open(StateDirectory, task, builders, Memory ?? RocksDbMemory.Default);
}
