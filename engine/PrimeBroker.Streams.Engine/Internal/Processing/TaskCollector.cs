using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// The collector a task's processors and sinks send through: stamps each output to a topic the topology reads back (a
/// repartition topic) with its <see cref="OutputOrigin"/>, and counts outputs, so the task knows it has something to
/// commit. Commit markers and changelog records bypass the stamp.
/// </summary>
/// <remarks>Only the <see cref="UpstreamRepeatFilter"/> of a task reading a repartition topic reads the origin, so
/// outputs to any other topic go without it: building and marshalling the two header strings was a measurable share of
/// the stream thread's time per output.</remarks>
internal sealed class TaskCollector : IRecordCollector
{
    private readonly StreamTask _task;
    private readonly IRecordCollector _inner;
    private readonly IReadOnlySet<string> _readBack;
    private int _outputsOfCurrentRecord;

    /// <param name="task">The task whose outputs these are.</param>
    /// <param name="inner">The thread's collector.</param>
    /// <param name="readBack">The topics (resolved names) the topology reads back: outputs to them carry the origin.</param>
    public TaskCollector(StreamTask task, IRecordCollector inner, IReadOnlySet<string> readBack)
    {
        _task = task;
        _inner = inner;
        _readBack = readBack;
    }

    /// <summary>Outputs sent since the last commit or rollback.</summary>
    public long OutputsSinceCommit { get; private set; }

    /// <summary>A new input record starts: its outputs count from 0.</summary>
    public void BeginRecord() => _outputsOfCurrentRecord = 0;

    /// <summary>A commit or rollback ended the transaction.</summary>
    public void EndTransaction() => OutputsSinceCommit = 0;

    public void Send(string topic, int? partition, byte[]? key, byte[]? value, Headers? headers, long timestamp)
    {
        OutputsSinceCommit++;
        if (_readBack.Count == 0 || !_readBack.Contains(topic))
        {
            // An origin forwarded from a repartition record (processors pass their input's headers on) is not this
            // output's: drop it rather than pass on a stale one.
            _inner.Send(topic, partition, key, value, OutputOrigin.WithoutOrigin(headers), timestamp);
            return;
        }

        var source = _task.CurrentRecord;
        var origin = source is not null
            ? OutputOrigin.OfRecord(source, _outputsOfCurrentRecord++)
            : OutputOrigin.OfPunctuation(_task.Id, _task.Committed.CommitSequence + 1, OutputsSinceCommit);
        long? attemptStart = source is not null ? _task.CommittedPosition(new TopicPartition(source.Topic, source.Partition)) : null;
        _inner.Send(topic, partition, key, value, OutputOrigin.Stamp(headers, origin, attemptStart), timestamp);
    }

    public void Send(string topic, int partition, byte[]? key, byte[]? value, Headers? headers, long timestamp, Action<long> onDelivered) =>
        _inner.Send(topic, partition, key, value, headers, timestamp, onDelivered);

    public int PartitionCount(string topic) => _inner.PartitionCount(topic);
}
