using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Engine.Internal;

/// <summary>
/// Keeps a thread that wakes up as a zombie from writing. A thread that was frozen (SIGSTOP, a long pause of the
/// process or its machine) for about a session timeout may have lost its partitions without having heard so yet: its
/// consumer learns it only from the next heartbeat, and its commit would put its changelog records and markers after
/// the new owner's (a real cluster fences the transaction's offset commit, but the records of the aborted transaction
/// stay visible on a cluster without read_committed, such as the embedded one). So after a gap of half a session timeout
/// since the last commit, the thread first asks the group coordinator, with a plain commit of its tasks' already
/// committed positions (no change to what the group holds for them), whether it is still a member of the current
/// generation. Stream thread only.
/// </summary>
internal sealed class MembershipCheck
{
    private readonly string _thread;
    private readonly StreamsConfig _config;
    private readonly ThreadActivity _activity;
    private readonly ILogger _logger;
    private long _lastConfirmed = Environment.TickCount64;

    public MembershipCheck(string thread, StreamsConfig config, ThreadActivity activity, ILogger logger)
    {
        _thread = thread;
        _config = config;
        _activity = activity;
        _logger = logger;
    }

    /// <summary>A commit succeeded: the thread was a member a moment ago.</summary>
    public void Confirmed() => _lastConfirmed = Environment.TickCount64;

    /// <summary>Null when the thread may commit now; otherwise the coordinator's refusal (unknown member, illegal
    /// generation, rebalance in progress...), which the caller treats like a failed commit (abort; fenced: close and
    /// rejoin).</summary>
    public KafkaException? Check(IConsumer<byte[], byte[]> consumer, IReadOnlyCollection<StreamTask> tasks)
    {
        if (_config.ProcessingGuarantee != ProcessingGuarantee.ExactlyOnceV2
            || Environment.TickCount64 - _lastConfirmed < (long)_config.SessionTimeout.TotalMilliseconds / 2)
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
            return new KafkaException(error);
        }
    }
}
