using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Keeps a thread that wakes up as a zombie from writing. A thread that was frozen (SIGSTOP, a long pause of the
/// process or its machine) for about a session timeout may have lost its partitions without having heard so yet: its
/// consumer learns it only from the next heartbeat, and its commit would put its changelog records and markers after
/// the new owner's (a real cluster fences the transaction's offset commit, but the records of the aborted transaction
/// stay visible on a cluster without read_committed, such as the embedded one). A timer notices a freeze of the whole
/// process: its ticks (every 100 ms) stop, and the next one comes more than half a session timeout after the last (a
/// long restore or a slow commit on the stream thread does not count: librdkafka's heartbeats go on meanwhile). After
/// a freeze the thread's next commit first asks the group coordinator, with a plain commit of its tasks' already
/// committed positions (no change to what the group holds for them), whether it is still a member. Stream thread only,
/// except the timer.
/// </summary>
internal sealed class MembershipCheck : IDisposable
{
    private readonly string _thread;
    private readonly StreamsConfig _config;
    private readonly ThreadActivity _activity;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _ticker;
    private long _lastTick;
    private volatile bool _frozen;

    public MembershipCheck(string thread, StreamsConfig config, ThreadActivity activity, ILogger logger)
    {
        _thread = thread;
        _config = config;
        _activity = activity;
        _logger = logger;
        _time = config.TimeProvider;
        _lastTick = _time.TickMilliseconds();
        _ticker = _time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Whether the process was frozen since the membership was last confirmed. Any thread.</summary>
    public bool Frozen => _frozen;

    /// <summary>A commit succeeded: the thread was a member a moment ago.</summary>
    public void Confirmed() => _frozen = false;

    public void Dispose() => _ticker.Dispose();

    /// <summary>Null when the thread may commit now; otherwise the coordinator's refusal (unknown member, illegal
    /// generation, rebalance in progress...), which the caller treats like a failed commit (abort; fenced: close and
    /// rejoin).</summary>
    public KafkaException? Check(IConsumer<byte[], byte[]> consumer, IReadOnlyCollection<StreamTask> tasks)
    {
        if (_config.ProcessingGuarantee != ProcessingGuarantee.ExactlyOnceV2 || !_frozen)
        {
            return null;
        }

        var committed = tasks.SelectMany(t => t.InputPartitions.Select(tp => new TopicPartitionOffset(tp, t.CommittedPosition(tp))))
            .Where(o => o.Offset.Value >= 0).ToList();
        if (committed.Count == 0)
        {
            return null;
        }

        try
        {
            _activity.Set("membership check");
            consumer.Commit(committed);
            Confirmed();
            return null;
        }
        catch (KafkaException ex)
        {
            var error = ex is TopicPartitionOffsetException tpo && tpo.Results.FirstOrDefault(r => r.Error.IsError) is { } failed ? failed.Error : ex.Error;
            _logger.MembershipInDoubt(_thread, error.ToString());
            // Unknown member: the group removed this member, its partitions moved (fenced: close the tasks, rejoin).
            // Anything else (a rebalance under way, an old generation, a timeout): do not commit now; the abort rolls the
            // tasks back and the coming rebalance callback commits them if they are still ours.
            return error.Code == ErrorCode.UnknownMemberId ? new KafkaException(error) : new KafkaException(new Error(ErrorCode.Local_State, error.Reason));
        }
    }

    private void Tick()
    {
        var now = _time.TickMilliseconds();
        if (now - Interlocked.Exchange(ref _lastTick, now) > (long)_config.SessionTimeout.TotalMilliseconds / 2)
        {
            _frozen = true;
        }
    }
}
