using System.Diagnostics.Metrics;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// The engine's instruments on <see cref="System.Diagnostics.Metrics"/>, meter <c>PrimeBroker.Streams.Engine</c>, so
/// any exporter (OpenTelemetry, prometheus-net, dotnet-counters) picks them up. Tags: <c>application</c> (all but the
/// lag gauge), and <c>task</c>, <c>reason</c>, <c>topic</c>, <c>partition</c> where they apply.
/// </summary>
/// <remarks>
/// <para>Instruments: <c>pbs.records.processed</c> (tag <c>task</c>), <c>pbs.records.produced</c> (outputs,
/// changelogs and commit markers, counted at each commit), <c>pbs.records.skipped</c> (tags <c>task</c>,
/// <c>reason</c>), <c>pbs.commits</c>, <c>pbs.aborts</c>, <c>pbs.commit.duration</c> (histogram, ms),
/// <c>pbs.restore.records</c>, <c>pbs.restore.skipped_uncommitted</c>, <c>pbs.task.restores</c> (tag <c>task</c>: a
/// task created and restored; a task kept open across a rebalance is not counted), <c>pbs.task.suspensions</c> (tag
/// <c>task</c>: a running task taken out of processing by an eager rebalance), <c>pbs.input.out_of_range</c> (tags
/// <c>topic</c>, <c>partition</c>), and the observable gauge <c>pbs.consumer.lag</c> (tags <c>topic</c>,
/// <c>partition</c>, without <c>application</c>) once a <see cref="StreamsApplication"/> has started.</para>
/// <para>Thread-safe: stream threads record concurrently, and the <c>…Total</c> properties may be read from any
/// thread. The totals count since this object was created, whether or not a listener is attached.</para>
/// </remarks>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter's name, <c>PrimeBroker.Streams.Engine</c>: what an exporter subscribes to.</summary>
    public const string MeterName = "PrimeBroker.Streams.Engine";

    private readonly Meter _meter;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _produced;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _commits;
    private readonly Counter<long> _aborts;
    private readonly Histogram<double> _commitLatency;
    private readonly Counter<long> _restored;
    private readonly Counter<long> _inputLost;
    private readonly Counter<long> _restoreSkipped;
    private readonly Counter<long> _taskRestores;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TaskId, long> _restoresByTask = new();
    private readonly Counter<long> _taskSuspensions;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TaskId, long> _suspensionsByTask = new();
    private readonly Counter<long> _standbyApplied;
    private readonly KeyValuePair<string, object?> _application;
    private long _standbyAppliedTotal;
    private long _processedTotal;
    private long _commitsTotal;
    private long _abortsTotal;
    private long _restoredTotal;
    private long _inputLostTotal;
    private long _skippedUncommittedTotal;

    /// <summary>Creates the instruments on a new meter.</summary>
    /// <param name="applicationId">Value of the <c>application</c> tag on every measurement.</param>
    /// <param name="meterFactory">Creates the meter (dependency injection's factory, so the host disposes it); null
    /// creates a standalone <see cref="Meter"/>, disposed by <see cref="Dispose"/>.</param>
    public EngineMetrics(string applicationId, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _application = new("application", applicationId);
        _processed = _meter.CreateCounter<long>("pbs.records.processed", "{record}", "Input records processed, per task.");
        _produced = _meter.CreateCounter<long>("pbs.records.produced", "{record}", "Output records sent (outputs, changelogs, markers).");
        _skipped = _meter.CreateCounter<long>("pbs.records.skipped", "{record}", "Input records skipped by an error handler.");
        _commits = _meter.CreateCounter<long>("pbs.commits", "{commit}", "Committed transactions.");
        _aborts = _meter.CreateCounter<long>("pbs.aborts", "{abort}", "Aborted transactions (tasks rolled back).");
        _commitLatency = _meter.CreateHistogram<double>("pbs.commit.duration", "ms", "Time of the commit protocol, changelog writes to local apply.");
        _restored = _meter.CreateCounter<long>("pbs.restore.records", "{record}", "Changelog records applied by restores.");
        _restoreSkipped = _meter.CreateCounter<long>("pbs.restore.skipped_uncommitted", "{record}", "Changelog records restores skipped because their transaction never committed.");
        _taskRestores = _meter.CreateCounter<long>("pbs.task.restores", "{restore}", "Tasks created and restored (a task kept open across a rebalance is not).");
        _taskSuspensions = _meter.CreateCounter<long>("pbs.task.suspensions", "{suspension}", "Running tasks suspended by a rebalance (eager protocol).");
        _standbyApplied = _meter.CreateCounter<long>("pbs.standby.records", "{record}", "Changelog records applied by standby tasks.");
        _inputLost = _meter.CreateCounter<long>("pbs.input.out_of_range", "{event}", "Source partitions whose position fell off the log.");
    }

    /// <summary>Consumer lag per partition, refreshed by the stream threads; exported as an observable gauge.</summary>
    internal Func<IEnumerable<Measurement<long>>>? LagSource { get; set; }

    /// <summary>Input records processed by all tasks, including records an error handler skipped.</summary>
    public long ProcessedTotal => Interlocked.Read(ref _processedTotal);

    /// <summary>Commits that completed.</summary>
    public long CommitsTotal => Interlocked.Read(ref _commitsTotal);

    /// <summary>Transactions aborted and rolled back.</summary>
    public long AbortsTotal => Interlocked.Read(ref _abortsTotal);

    /// <summary>Changelog records applied by restores.</summary>
    public long RestoredTotal => Interlocked.Read(ref _restoredTotal);

    /// <summary>Changelog records restores skipped because their transaction never committed.</summary>
    public long RestoreSkippedUncommittedTotal => Interlocked.Read(ref _skippedUncommittedTotal);

    /// <summary>Source partitions found out of range (input deleted before it was processed).</summary>
    public long InputOutOfRangeTotal => Interlocked.Read(ref _inputLostTotal);

    /// <summary>Changelog records applied by standby tasks since this object was created.</summary>
    public long StandbyAppliedTotal => Interlocked.Read(ref _standbyAppliedTotal);

    /// <summary>Per standby task, changelog offsets behind the last stable offset; exported as <c>pbs.standby.lag</c>.</summary>
    internal Func<IEnumerable<Measurement<long>>>? StandbyLagSource { get; set; }

    /// <summary>Standby tasks now; exported as <c>pbs.standby.tasks</c>.</summary>
    internal Func<int>? StandbyCountSource { get; set; }

    internal void EnableStandbyGauges()
    {
        _meter.CreateObservableGauge("pbs.standby.tasks", () => new Measurement<int>(StandbyCountSource?.Invoke() ?? 0, _application), "{task}",
            "Standby tasks this instance keeps (NumStandbyReplicas).");
        _meter.CreateObservableGauge("pbs.standby.lag", () => (StandbyLagSource?.Invoke() ?? []).Select(m => new Measurement<long>(m.Value, m.Tags.ToArray().Prepend(_application).ToArray())),
            "{offset}", "Per standby task: changelog offsets between its stores' positions and the last stable offset, at its last round.");
    }

    internal void RecordStandbyApplied(long records)
    {
        if (records > 0)
        {
            Interlocked.Add(ref _standbyAppliedTotal, records);
            _standbyApplied.Add(records, _application);
        }
    }

    /// <summary>Stalled tasks now (see <see cref="StreamsConfig.StallTimeout"/>); exported as an observable gauge.</summary>
    internal Func<int>? StalledSource { get; set; }

    internal void EnableStalledGauge() =>
        _meter.CreateObservableGauge("pbs.tasks.stalled", () => new Measurement<int>(StalledSource?.Invoke() ?? 0, _application), "{task}",
            "Tasks whose input has lag and whose committed position has not advanced for the stall timeout.");

    internal void EnableLagGauge() =>
        _meter.CreateObservableGauge("pbs.consumer.lag", () => LagSource?.Invoke() ?? [], "{record}", "Records between position and end of log, per input partition.");

    /// <summary>Per record: <paramref name="taskTag"/> is built once per task, so a listening exporter costs no string
    /// per record.</summary>
    internal void RecordProcessed(in KeyValuePair<string, object?> taskTag)
    {
        Interlocked.Increment(ref _processedTotal);
        if (_processed.Enabled)
        {
            _processed.Add(1, _application, taskTag);
        }
    }

    internal void RecordProduced(long count) => _produced.Add(count, _application);

    internal void RecordSkipped(TaskId task, string reason) => _skipped.Add(1, _application, new("task", task.ToString()), new("reason", reason));

    internal void RecordCommit(int tasks, TimeSpan duration)
    {
        Interlocked.Increment(ref _commitsTotal);
        _commits.Add(1, _application);
        _commitLatency.Record(duration.TotalMilliseconds, _application);
    }

    internal void RecordAbort()
    {
        Interlocked.Increment(ref _abortsTotal);
        _aborts.Add(1, _application);
    }

    internal void RecordRestored(long records, long skippedUncommitted = 0)
    {
        Interlocked.Add(ref _restoredTotal, records);
        Interlocked.Add(ref _skippedUncommittedTotal, skippedUncommitted);
        _restored.Add(records, _application);
        if (skippedUncommitted > 0)
        {
            _restoreSkipped.Add(skippedUncommitted, _application);
        }
    }

    /// <summary>Task restores (task created, stores opened and restored) since this object was created.</summary>
    public long TaskRestoresTotal => _restoresByTask.Values.Sum();

    /// <summary>Task restores per task, for tests (a snapshot).</summary>
    internal IReadOnlyDictionary<TaskId, long> TaskRestores => new Dictionary<TaskId, long>(_restoresByTask);

    internal void RecordTaskRestore(TaskId task)
    {
        _restoresByTask.AddOrUpdate(task, 1, (_, n) => n + 1);
        _taskRestores.Add(1, _application, new("task", task.ToString()));
    }

    /// <summary>Task suspensions per task, for tests (a snapshot).</summary>
    internal IReadOnlyDictionary<TaskId, long> TaskSuspensions => new Dictionary<TaskId, long>(_suspensionsByTask);

    internal void RecordTaskSuspension(TaskId task)
    {
        _suspensionsByTask.AddOrUpdate(task, 1, (_, n) => n + 1);
        _taskSuspensions.Add(1, _application, new("task", task.ToString()));
    }

    internal void RecordInputLost(string topic, int partition)
    {
        Interlocked.Increment(ref _inputLostTotal);
        _inputLost.Add(1, _application, new("topic", topic), new("partition", partition));
    }

    /// <summary>Disposes the meter, which ends every instrument's publication. The totals stay readable.</summary>
    public void Dispose() => _meter.Dispose();
}
