using System.Diagnostics.Metrics;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine;

/// <summary>
/// The engine's instruments on <see cref="System.Diagnostics.Metrics"/>, meter <c>PrimeBroker.Streams.Engine</c>, so
/// any exporter (OpenTelemetry, prometheus-net, dotnet-counters) picks them up. Names follow Kafka Streams' metric
/// names where Kafka Streams has the metric (<c>kafka.streams.*</c>, <c>kafka.consumer.records_lag</c>), the engine's
/// own otherwise (<c>pbs.*</c>); durations are in seconds and attributes follow OpenTelemetry's messaging semantic
/// conventions (host/README.md, "Metrics", has the table).
/// </summary>
/// <remarks>
/// <para>Every measurement carries <c>messaging.system</c> = <c>kafka</c> and <c>messaging.consumer.group.name</c> = the
/// application id; per task <c>kafka.streams.task.id</c> (e.g. <c>0_3</c>), per partition
/// <c>messaging.destination.name</c> and <c>messaging.destination.partition.id</c>.</para>
/// <para>Instruments: counters <see cref="ProcessInstrument"/> (per task), <c>kafka.streams.dropped_records</c> (per
/// task, <c>kafka.streams.skip.reason</c>), <see cref="CommitInstrument"/>, the histogram
/// <see cref="CommitLatencyInstrument"/> (s), <see cref="RestoreInstrument"/>, <c>kafka.streams.update</c> (standby
/// records), <c>kafka.streams.task_created</c> (per task), <c>messaging.client.sent.messages</c>;
/// the engine's own <c>pbs.transaction.aborts</c>, <c>pbs.restore.skipped_uncommitted</c>, <c>pbs.task.suspensions</c>
/// (per task), <c>pbs.input.out_of_range</c> (per partition). Observable gauges, reporting once a <see cref="StreamsApplication"/>
/// has started: <see cref="RecordsLagInstrument"/> (per input partition), <see cref="RestoreRemainingInstrument"/> (per
/// store of a restoring task), <c>kafka.streams.state</c> and
/// <c>kafka.streams.thread.state</c> (1 for the current state, 0 for the others, attribute
/// <c>kafka.streams.state</c>), <c>kafka.streams.tasks</c> (tasks per <c>kafka.streams.task.state</c>), and with
/// standby replicas <c>pbs.standby.tasks</c> and <c>pbs.standby.lag</c> (per standby task).</para>
/// <para>Thread-safe: stream threads record concurrently, and the <c>…Total</c> properties may be read from any
/// thread. The totals count since this object was created, whether or not a listener is attached.</para>
/// </remarks>
public sealed class EngineMetrics : IDisposable
{
    /// <summary>The meter's name, <c>PrimeBroker.Streams.Engine</c>: what an exporter subscribes to.</summary>
    public const string MeterName = "PrimeBroker.Streams.Engine";

    /// <summary>Input records processed, per task (Kafka Streams' task-level <c>process-total</c>; its
    /// <c>process-rate</c> is this counter's rate). Raised on the stream thread after each record.</summary>
    public const string ProcessInstrument = "kafka.streams.process";

    /// <summary>Committed transactions (Kafka Streams' <c>commit-total</c>). Raised on the stream thread after the
    /// commit and its local apply.</summary>
    public const string CommitInstrument = "kafka.streams.commit";

    /// <summary>Histogram of commit durations in seconds (Kafka Streams' <c>commit-latency-avg</c>/<c>-max</c>), from
    /// the first changelog write to the local apply. Raised on the stream thread right after
    /// <see cref="CommitInstrument"/>.</summary>
    public const string CommitLatencyInstrument = "kafka.streams.commit_latency";

    /// <summary>Changelog records applied by restores (Kafka Streams' <c>restore-total</c>).</summary>
    public const string RestoreInstrument = "kafka.streams.restore";

    /// <summary>Observable gauge, per store of every task that restores (attributes <see cref="TaskAttribute"/> and
    /// <see cref="StoreAttribute"/>): changelog offsets between the store's restored position and the end its restore
    /// reads to (Kafka Streams' task-level <c>restore-remaining-records-total</c>, here per store; sum by task for
    /// Kafka's). Commit markers count as offsets. Reported from the first catch-up round until the task's restore
    /// completes (a last value of 0 is not kept); nothing for standby tasks (<c>pbs.standby.lag</c>).</summary>
    public const string RestoreRemainingInstrument = "kafka.streams.restore_remaining_records";

    /// <summary>Observable gauge: records between a task's position and the end of an input partition (the consumer's
    /// <c>records-lag</c>).</summary>
    public const string RecordsLagInstrument = "kafka.consumer.records_lag";

    /// <summary>Attribute of every measurement: the application id, which is the consumer group's name.</summary>
    public const string ApplicationAttribute = "messaging.consumer.group.name";

    /// <summary>Attribute of per-task measurements: the task id, e.g. <c>0_3</c> (Kafka Streams' <c>task-id</c>).</summary>
    public const string TaskAttribute = "kafka.streams.task.id";

    /// <summary>Attribute of per-store measurements: the store's name (Kafka Streams' <c>[store-type]-state-id</c>).</summary>
    public const string StoreAttribute = "kafka.streams.store.name";

    /// <summary>Attribute of per-partition measurements: the topic.</summary>
    public const string TopicAttribute = "messaging.destination.name";

    /// <summary>Attribute of per-partition measurements: the partition number, as a string.</summary>
    public const string PartitionAttribute = "messaging.destination.partition.id";

    private static readonly KeyValuePair<string, object?> s_system = new("messaging.system", "kafka");

    // Bucket bounds in seconds, a millisecond to a minute: OpenTelemetry's default bounds are meant for milliseconds
    // and would put nearly every commit in the first bucket.
    private static readonly double[] s_secondsBuckets =
        [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

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
    /// <param name="applicationId">Value of the <see cref="ApplicationAttribute"/> attribute on every measurement.</param>
    /// <param name="meterFactory">Creates the meter (dependency injection's factory, so the host disposes it); null
    /// creates a standalone <see cref="Meter"/>, disposed by <see cref="Dispose"/>.</param>
    public EngineMetrics(string applicationId, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _application = new(ApplicationAttribute, applicationId);
        _processed = _meter.CreateCounter<long>(ProcessInstrument, "{record}", "Input records processed, per task.");
        _produced = _meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Records sent by the stream threads' producers (outputs, changelogs, commit markers), counted at each commit.");
        _skipped = _meter.CreateCounter<long>("kafka.streams.dropped_records", "{record}", "Input records skipped by an error handler, per task and reason.");
        _commits = _meter.CreateCounter<long>(CommitInstrument, "{commit}", "Committed transactions.");
        _aborts = _meter.CreateCounter<long>("pbs.transaction.aborts", "{abort}", "Aborted transactions (tasks rolled back).");
        _commitLatency = _meter.CreateHistogram<double>(CommitLatencyInstrument, "s", "Time of the commit protocol, changelog writes to local apply.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets });
        _restored = _meter.CreateCounter<long>(RestoreInstrument, "{record}", "Changelog records applied by restores.");
        _restoreSkipped = _meter.CreateCounter<long>("pbs.restore.skipped_uncommitted", "{record}", "Changelog records restores skipped because their transaction never committed.");
        _taskRestores = _meter.CreateCounter<long>("kafka.streams.task_created", "{task}", "Tasks created and restored (a task kept open across a rebalance is not).");
        _taskSuspensions = _meter.CreateCounter<long>("pbs.task.suspensions", "{suspension}", "Running tasks suspended by a rebalance (eager protocol).");
        _standbyApplied = _meter.CreateCounter<long>("kafka.streams.update", "{record}", "Changelog records applied by standby tasks.");
        _inputLost = _meter.CreateCounter<long>("pbs.input.out_of_range", "{event}", "Source partitions whose position fell off the log.");

        // The gauges exist from the start (so an exporter or a dashboard check sees every instrument); they report
        // nothing until the application sets their sources.
        _meter.CreateObservableGauge(RecordsLagInstrument, () => (LagSource?.Invoke() ?? []).Select(Attributed), "{record}",
            "Records between position and end of log, per input partition.");
        _meter.CreateObservableGauge(RestoreRemainingInstrument, () => (RestoreRemainingSource?.Invoke() ?? []).Select(Attributed), "{record}",
            "Per store of a restoring task: changelog offsets (records and commit markers) still to restore.");
        _meter.CreateObservableGauge("kafka.streams.tasks", ObserveTaskStates, "{task}",
            "Tasks of this instance per state (restoring, running, stalled, retrying, failed, standby).");
        _meter.CreateObservableGauge("kafka.streams.state", ObserveState, "{state}",
            "The application's state: 1 for the current state, 0 for the others (attribute kafka.streams.state).");
        _meter.CreateObservableGauge("kafka.streams.thread.state", ObserveThreadStates, "{state}",
            "Each stream thread's state: 1 for the current state, 0 for the others (attributes kafka.streams.thread.id, kafka.streams.state).");
        _meter.CreateObservableGauge<int>("pbs.standby.tasks", () => StandbyCountSource is { } count ? [new Measurement<int>(count(), s_system, _application)] : [],
            "{task}", "Standby tasks this instance keeps (NumStandbyReplicas).");
        _meter.CreateObservableGauge("pbs.standby.lag", () => (StandbyLagSource?.Invoke() ?? []).Select(Attributed),
            "{offset}", "Per standby task: changelog offsets between its stores' positions and the last stable offset, at its last round.");
    }

    /// <summary>Consumer lag per partition, refreshed by the stream threads (tags <c>topic</c>, <c>partition</c>);
    /// exported as <see cref="RecordsLagInstrument"/>.</summary>
    internal Func<IEnumerable<Measurement<long>>>? LagSource { get; set; }

    /// <summary>Per store of every restoring task (tags <c>task</c>, <c>store</c>), changelog offsets still to restore;
    /// exported as <see cref="RestoreRemainingInstrument"/>.</summary>
    internal Func<IEnumerable<Measurement<long>>>? RestoreRemainingSource { get; set; }

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

    /// <summary>Per standby task (tag <c>task</c>), changelog offsets behind the last stable offset; exported as
    /// <c>pbs.standby.lag</c>.</summary>
    internal Func<IEnumerable<Measurement<long>>>? StandbyLagSource { get; set; }

    /// <summary>Standby tasks now; exported as <c>pbs.standby.tasks</c>.</summary>
    internal Func<int>? StandbyCountSource { get; set; }

    internal void RecordStandbyApplied(long records)
    {
        if (records > 0)
        {
            Interlocked.Add(ref _standbyAppliedTotal, records);
            _standbyApplied.Add(records, s_system, _application);
        }
    }

    /// <summary>Every task of the instance with its state, as <see cref="StreamsApplication.Health"/> computes it;
    /// exported as <c>kafka.streams.tasks</c>, a count per state.</summary>
    internal Func<IEnumerable<TaskHealthState>>? TaskStatesSource { get; set; }

    /// <summary>The application's state; exported as <c>kafka.streams.state</c>.</summary>
    internal Func<StreamsState>? StateSource { get; set; }

    /// <summary>Every stream thread's name and state (a <see cref="StreamsState"/> name in snake case, or
    /// <c>dead</c>); exported as <c>kafka.streams.thread.state</c>.</summary>
    internal Func<IEnumerable<(string Thread, string State)>>? ThreadStatesSource { get; set; }

    /// <summary>The values of the <c>kafka.streams.state</c> attribute of <c>kafka.streams.thread.state</c>.</summary>
    internal static readonly string[] ThreadStates = ["created", "rebalancing", "running", "pending_shutdown", "not_running", "error", "dead"];

    /// <summary>A state's name as the metrics show it: <c>PendingShutdown</c> -> <c>pending_shutdown</c>.</summary>
    internal static string StateName(StreamsState state) => state switch
    {
        StreamsState.PendingShutdown => "pending_shutdown",
        StreamsState.NotRunning => "not_running",
        _ => state.ToString().ToLowerInvariant(),
    };

    private IEnumerable<Measurement<int>> ObserveTaskStates()
    {
        if (TaskStatesSource is null)
        {
            return [];
        }

        var counts = Enum.GetValues<TaskHealthState>().ToDictionary(s => s, _ => 0);
        foreach (var state in TaskStatesSource())
        {
            counts[state]++;
        }

        return counts.Select(c => new Measurement<int>(c.Value, s_system, _application, new("kafka.streams.task.state", c.Key.ToString().ToLowerInvariant())));
    }

    private IEnumerable<Measurement<int>> ObserveState()
    {
        if (StateSource is not { } source)
        {
            return [];
        }

        var current = StateName(source());
        return Enum.GetValues<StreamsState>().Select(StateName)
            .Select(s => new Measurement<int>(s == current ? 1 : 0, s_system, _application, new("kafka.streams.state", s)));
    }

    private IEnumerable<Measurement<int>> ObserveThreadStates() =>
        (ThreadStatesSource?.Invoke() ?? []).SelectMany(t => ThreadStates.Select(s =>
            new Measurement<int>(s == t.State ? 1 : 0, s_system, _application, new("kafka.streams.thread.id", t.Thread), new("kafka.streams.state", s))));

    /// <summary>A measurement of another part of the engine with the metrics' attributes: <c>topic</c> and
    /// <c>partition</c> as OpenTelemetry's messaging attributes, <c>task</c> as <see cref="TaskAttribute"/>, and the
    /// system and application added.</summary>
    private Measurement<long> Attributed(Measurement<long> measurement)
    {
        var tags = new List<KeyValuePair<string, object?>>(measurement.Tags.Length + 2) { s_system, _application };
        foreach (var tag in measurement.Tags)
        {
            tags.Add(tag.Key switch
            {
                "topic" => new(TopicAttribute, tag.Value),
                "partition" => new(PartitionAttribute, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture)),
                "task" => new(TaskAttribute, tag.Value),
                "store" => new(StoreAttribute, tag.Value),
                _ => tag,
            });
        }

        return new Measurement<long>(measurement.Value, tags);
    }

    /// <summary>Per record: <paramref name="taskTag"/> is built once per task (its value is the task id), so a
    /// listening exporter costs no string per record.</summary>
    internal void RecordProcessed(in KeyValuePair<string, object?> taskTag)
    {
        Interlocked.Increment(ref _processedTotal);
        if (_processed.Enabled)
        {
            _processed.Add(1, s_system, _application, new(TaskAttribute, taskTag.Value));
        }
    }

    internal void RecordProduced(long count) =>
        _produced.Add(count, s_system, _application, new("messaging.operation.name", "send"));

    internal void RecordSkipped(TaskId task, string reason) =>
        _skipped.Add(1, s_system, _application, new(TaskAttribute, task.ToString()), new("kafka.streams.skip.reason", reason));

    internal void RecordCommit(int tasks, TimeSpan duration)
    {
        Interlocked.Increment(ref _commitsTotal);
        _commits.Add(1, s_system, _application);
        _commitLatency.Record(duration.TotalSeconds, s_system, _application);
    }

    internal void RecordAbort()
    {
        Interlocked.Increment(ref _abortsTotal);
        _aborts.Add(1, s_system, _application);
    }

    internal void RecordRestored(long records, long skippedUncommitted = 0)
    {
        Interlocked.Add(ref _restoredTotal, records);
        Interlocked.Add(ref _skippedUncommittedTotal, skippedUncommitted);
        _restored.Add(records, s_system, _application);
        if (skippedUncommitted > 0)
        {
            _restoreSkipped.Add(skippedUncommitted, s_system, _application);
        }
    }

    /// <summary>Task restores (task created, stores opened and restored) since this object was created.</summary>
    public long TaskRestoresTotal => _restoresByTask.Values.Sum();

    /// <summary>Task restores per task, for tests (a snapshot).</summary>
    internal IReadOnlyDictionary<TaskId, long> TaskRestores => new Dictionary<TaskId, long>(_restoresByTask);

    internal void RecordTaskRestore(TaskId task)
    {
        _restoresByTask.AddOrUpdate(task, 1, (_, n) => n + 1);
        _taskRestores.Add(1, s_system, _application, new(TaskAttribute, task.ToString()));
    }

    /// <summary>Task suspensions per task, for tests (a snapshot).</summary>
    internal IReadOnlyDictionary<TaskId, long> TaskSuspensions => new Dictionary<TaskId, long>(_suspensionsByTask);

    internal void RecordTaskSuspension(TaskId task)
    {
        _suspensionsByTask.AddOrUpdate(task, 1, (_, n) => n + 1);
        _taskSuspensions.Add(1, s_system, _application, new(TaskAttribute, task.ToString()));
    }

    internal void RecordInputLost(string topic, int partition)
    {
        Interlocked.Increment(ref _inputLostTotal);
        _inputLost.Add(1, s_system, _application, new(TopicAttribute, topic),
            new(PartitionAttribute, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Disposes the meter, which ends every instrument's publication. The totals stay readable.</summary>
    public void Dispose() => _meter.Dispose();
}
