using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>
/// The collector a task's processors and sinks send through: stamps each output with its <see cref="OutputOrigin"/> and
/// counts outputs, so the task knows it has something to commit. Commit markers and changelog records bypass the stamp.
/// </summary>
internal sealed class TaskCollector : IRecordCollector
{
    private readonly StreamTask _task;
    private readonly IRecordCollector _inner;
    private int _outputsOfCurrentRecord;

    public TaskCollector(StreamTask task, IRecordCollector inner)
    {
        _task = task;
        _inner = inner;
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
