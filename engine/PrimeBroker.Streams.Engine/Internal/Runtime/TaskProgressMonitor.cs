using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Processing;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// The progress watchdog's view of one stream thread's running tasks: their lag, whether they have work pending, and
/// when their committed position last moved. <see cref="Update"/> runs on the stream thread; <see cref="Health"/> and
/// <see cref="Lag"/> are read from any thread, so a thread stuck inside a call still shows its tasks as stalled.
/// </summary>
internal sealed class TaskProgressMonitor
{
    private readonly ConcurrentDictionary<TopicPartition, long> _lag = new();
    private readonly ConcurrentDictionary<TaskId, TaskProgress> _progress = new();
    private readonly TimeProvider _time;

    public TaskProgressMonitor(TimeProvider time) => _time = time;

    /// <summary>The lag gauge's measurements: per input partition, end offset minus the next offset to process.</summary>
    public IEnumerable<Measurement<long>> Lag() =>
        _lag.Select(e => new Measurement<long>(e.Value, new("topic", e.Key.Topic), new("partition", e.Key.Partition.Value)));

    /// <summary>A task starts running: its stall clock starts now.</summary>
    public void Start(TaskId id) => _progress[id] = new TaskProgress(_time.TickMilliseconds());

    /// <summary>A task stopped running here (closed, failed, suspended): it leaves the watchdog and the lag gauge.</summary>
    public void Forget(TaskId id, IEnumerable<TopicPartition> partitions)
    {
        _progress.TryRemove(id, out _);
        foreach (var tp in partitions)
        {
            _lag.TryRemove(tp, out _);
        }
    }

    /// <summary>
    /// Refreshes the lag gauge and each task's progress from the consumer's cached high watermarks (queried, at most
    /// every half <paramref name="stallTimeout"/>, when none is cached). A task has work pending when its consumer
    /// position is short of the end of its input or it holds uncommitted records; it makes progress when its committed
    /// position moves. Idle tasks are never stalled.
    /// </summary>
    public void Update(IEnumerable<StreamTask> tasks, IConsumer<byte[], byte[]> consumer, TimeSpan stallTimeout)
    {
        var now = _time.TickMilliseconds();
        var half = (long)stallTimeout.TotalMilliseconds / 2;
        foreach (var task in tasks)
        {
            var progress = _progress.GetOrAdd(task.Id, static (_, now) => new TaskProgress(now), now);
            long position = 0, lag = 0;
            var pending = task.UncommittedRecords > 0;
            var lagKnown = true;
            var detail = new System.Text.StringBuilder();
            foreach (var tp in task.InputPartitions)
            {
                var high = consumer.GetWatermarkOffsets(tp).High.Value;
                if (high < 0 && now - progress.LastProgressTick > half && now - progress.LastQueryTick > half)
                {
                    progress.LastQueryTick = now;
                    try
                    {
                        high = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(2)).High.Value;
                    }
                    catch (KafkaException)
                    {
                        // Unknown for now; asked again after another half stall timeout.
                    }
                }

                var committed = task.CommittedPosition(tp);
                var next = task.NextOffsets.GetValueOrDefault(tp, -1);
                var fetch = consumer.Position(tp).Value;
                if (high >= 0 && next >= 0)
                {
                    _lag[tp] = Math.Max(0, high - next);
                }

                if (high >= 0 && committed >= 0)
                {
                    lag += Math.Max(0, high - committed);
                    pending |= (fetch >= 0 ? fetch : committed) < high;
                }
                else
                {
                    lagKnown = false;
                }

                position += Math.Max(committed, 0);
                detail.Append(System.Globalization.CultureInfo.InvariantCulture, $"{tp.Topic}[{tp.Partition.Value}] committed {committed} next {next} fetch {fetch} end {high}; ");
            }

            if (position != progress.Position || !pending)
            {
                progress.Position = position;
                progress.LastProgressTick = now;
            }

            progress.Pending = pending;
            progress.Lag = lagKnown ? lag : -1;
            progress.Detail = detail.ToString();
        }
    }

    /// <summary>Every running task as Running or Stalled; callable from any thread.</summary>
    public IEnumerable<TaskHealth> Health(string thread, TimeSpan stallTimeout, string activity)
    {
        var now = _time.TickMilliseconds();
        foreach (var (id, progress) in _progress)
        {
            var sinceProgress = TimeSpan.FromMilliseconds(now - progress.LastProgressTick);
            var stalled = progress.Pending && sinceProgress > stallTimeout;
            yield return new TaskHealth(id, thread, stalled ? TaskHealthState.Stalled : TaskHealthState.Running, progress.Lag, sinceProgress,
                stalled ? $"{progress.Detail}thread: {activity}" : null);
        }
    }

    /// <summary>What the watchdog knows of a running task's progress; written on the stream thread, read anywhere.</summary>
    private sealed class TaskProgress(long startTick)
    {
        public long Position { get; set; } = -1;

        public long LastProgressTick { get; set; } = startTick;

        public long LastQueryTick { get; set; }

        public bool Pending { get; set; }

        public long Lag { get; set; } = -1;

        public string Detail { get; set; } = "";
    }
}
