using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>
/// A stream thread's group consumer over an <see cref="InMemoryCluster"/>, with the group played by the test: it scripts
/// rebalances (<see cref="Rebalance"/>, <see cref="RevokeFromGroup"/>, <see cref="AssignFromGroup"/>, <see cref="Lose"/>) and the consumer
/// runs the rebalance callbacks inside <c>Consume</c>, on the stream thread, as librdkafka does (one group event per
/// call, after which the thread parks). It answers the calls the engine makes; anything else throws <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>
/// Lock-step with the test: a <c>Consume</c> that finds neither a group event nor a record parks the stream thread until
/// the test calls <see cref="Step"/>, which lets it go round its loop and waits (bounded) until it parks again. While it
/// is parked the test may read the thread's state and change the cluster; nothing runs behind its back, and no test
/// waits on wall-clock time.
/// </remarks>
internal sealed class InMemoryConsumer(InMemoryCluster cluster, string name) : IConsumer<byte[], byte[]>
{
    private static readonly TimeSpan s_stepBound = TimeSpan.FromSeconds(20);

    private readonly object _gate = new();
    private readonly Queue<GroupEvent> _events = new();
    private readonly List<TopicPartition> _assignment = new();
    private readonly Dictionary<TopicPartition, long> _positions = new();
    private readonly HashSet<TopicPartition> _paused = new();
    private Func<List<TopicPartition>, IEnumerable<TopicPartitionOffset>>? _onAssigned;
    private Action<List<TopicPartitionOffset>>? _onRevoked;
    private Action<List<TopicPartitionOffset>>? _onLost;
    private bool _cooperative;
    private List<TopicPartition> _groupAssignment = new();
    private List<TopicPartition> _planned = new();
    private List<string> _subscription = new();
    private int _parks;
    private bool _parked;
    private bool _release;
    private bool _free;

    /// <summary>How often the thread subscribed (a fenced thread rejoins with an unsubscribe and a subscribe).</summary>
    public int Subscribes { get; private set; }

    /// <summary>True: fetches return nothing although records wait (a broker that does not answer fetches).</summary>
    public bool HoldRecords { get; set; }

    /// <summary>Scripted: errors the group coordinator answers to the next plain offset commits, in order.</summary>
    public Queue<ErrorCode> CommitErrors { get; } = new();

    /// <summary>Whether the engine closed this consumer.</summary>
    public bool Closed { get; private set; }

    /// <summary>Partitions the thread paused and has not resumed (kept across re-assignments, as librdkafka does).</summary>
    public IReadOnlyCollection<TopicPartition> Paused => _paused;

    /// <summary>Called by the clients factory: the rebalance callbacks the stream thread registered.</summary>
    public void Attach(bool cooperative, Func<List<TopicPartition>, IEnumerable<TopicPartitionOffset>> onAssigned,
        Action<List<TopicPartitionOffset>> onRevoked, Action<List<TopicPartitionOffset>> onLost)
    {
        _cooperative = cooperative;
        _onAssigned = onAssigned;
        _onRevoked = onRevoked;
        _onLost = onLost;
    }

    /// <summary>What the group hands this member when it (re)joins; before the thread subscribes, its first assignment.</summary>
    public void JoinWith(params TopicPartition[] partitions)
    {
        lock (_gate)
        {
            _groupAssignment = partitions.ToList();
        }
    }

    /// <summary>
    /// A rebalance that leaves this member <paramref name="target"/>. Eager (range): every partition is revoked, then the
    /// whole target assigned. Cooperative: only the partitions that leave are revoked, then only the new ones assigned.
    /// </summary>
    public void Rebalance(params TopicPartition[] target)
    {
        lock (_gate)
        {
            _groupAssignment = target.ToList();
            if (_cooperative)
            {
                var leaving = _planned.Except(target).ToList();
                if (leaving.Count > 0)
                {
                    Enqueue(new GroupEvent(Kind.Revoke, leaving));
                }

                Enqueue(new GroupEvent(Kind.Assign, target.Except(_planned).ToList()));
            }
            else
            {
                Enqueue(new GroupEvent(Kind.Revoke, null));
                Enqueue(new GroupEvent(Kind.Assign, target.ToList()));
            }
        }
    }

    /// <summary>Only the revoke half of an eager rebalance (the assignment follows with <see cref="AssignFromGroup"/>).</summary>
    public void RevokeFromGroup()
    {
        lock (_gate)
        {
            Enqueue(new GroupEvent(Kind.Revoke, null));
        }
    }

    /// <summary>Only the assign half of a rebalance.</summary>
    public void AssignFromGroup(params TopicPartition[] partitions)
    {
        lock (_gate)
        {
            _groupAssignment = partitions.ToList();
            Enqueue(new GroupEvent(Kind.Assign, partitions.ToList()));
        }
    }

    /// <summary>The member's session expired: the whole assignment is lost without a revoke.</summary>
    public void Lose()
    {
        lock (_gate)
        {
            Enqueue(new GroupEvent(Kind.Lost, null));
        }
    }

    /// <summary>Waits (bounded) until the stream thread parks in <c>Consume</c> with nothing to do.</summary>
    /// <param name="failure">Describes why the thread will not park (it died), or null while it may.</param>
    public void WaitParked(Func<string?> failure)
    {
        lock (_gate)
        {
            WaitUntil(() => _parked, "park in Consume", failure);
        }
    }

    /// <summary>Lets the parked thread go round its loop and waits (bounded) until it parks again.</summary>
    public void Step(Func<string?> failure)
    {
        lock (_gate)
        {
            WaitUntil(() => _parked, "park in Consume", failure);
            var parks = _parks;
            _release = true;
            Monitor.PulseAll(_gate);
            WaitUntil(() => _parked && _parks > parks, "go round its loop and park again", failure);
        }
    }

    /// <summary>Whether a group event or a fetchable record waits for the thread.</summary>
    public bool HasWork
    {
        get
        {
            lock (_gate)
            {
                return _events.Count > 0 || NextRecord() is not null;
            }
        }
    }

    /// <summary>The thread never parks again (it is stopping).</summary>
    public void Free()
    {
        lock (_gate)
        {
            _free = true;
            Monitor.PulseAll(_gate);
        }
    }

    public string Name => name;

    public string MemberId => name;

    public Handle Handle => throw new NotSupportedException("The in-memory consumer has no librdkafka handle.");

    public List<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return _assignment.ToList();
            }
        }
    }

    public List<string> Subscription => _subscription.ToList();

    public IConsumerGroupMetadata ConsumerGroupMetadata => null!; // the in-memory producer ignores it

    public ConsumeResult<byte[], byte[]> Consume(TimeSpan timeout)
    {
        GroupEvent? next;
        lock (_gate)
        {
            _events.TryDequeue(out next);
            if (next is null)
            {
                if (NextRecord() is { } found)
                {
                    _positions[found.Partition] = found.Record.Offset + 1;
                    return found.Result;
                }

                Park();
                return null!;
            }
        }

        // Outside the lock, as librdkafka runs its callbacks: they call back into this consumer. Then the thread parks,
        // so the test sees the state right after each group event.
        Run(next);
        lock (_gate)
        {
            Park();
        }

        return null!;
    }

    public ConsumeResult<byte[], byte[]> Consume(int millisecondsTimeout) => Consume(TimeSpan.FromMilliseconds(millisecondsTimeout));

    public ConsumeResult<byte[], byte[]> Consume(CancellationToken cancellationToken = default) => Consume(TimeSpan.Zero);

    public void Subscribe(IEnumerable<string> topics)
    {
        lock (_gate)
        {
            _subscription = topics.ToList();
            Subscribes++;
            Enqueue(new GroupEvent(Kind.Assign, _cooperative ? _groupAssignment.Except(_planned).ToList() : _groupAssignment.ToList()));
        }
    }

    public void Subscribe(string topic) => Subscribe([topic]);

    public void Unsubscribe()
    {
        lock (_gate)
        {
            _subscription = new List<string>();
            Enqueue(new GroupEvent(Kind.Revoke, null));
        }
    }

    public void Assign(TopicPartition partition) => Assign([new TopicPartitionOffset(partition, Offset.Stored)]);

    public void Assign(TopicPartitionOffset partition) => Assign([partition]);

    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        lock (_gate)
        {
            _assignment.Clear();
            _positions.Clear();
            AddAssigned(partitions);
        }
    }

    public void Assign(IEnumerable<TopicPartition> partitions) => Assign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Stored)));

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions)
    {
        lock (_gate)
        {
            AddAssigned(partitions);
        }
    }

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions) => IncrementalAssign(partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Stored)));

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var tp in partitions.ToList())
            {
                RemoveAssigned(tp);
            }
        }
    }

    public void Unassign()
    {
        lock (_gate)
        {
            foreach (var tp in _assignment.ToList())
            {
                RemoveAssigned(tp);
            }
        }
    }

    public void Seek(TopicPartitionOffset tpo)
    {
        lock (_gate)
        {
            if (!_assignment.Contains(tpo.TopicPartition))
            {
                throw new KafkaException(new Error(ErrorCode.Local_State, $"{tpo.TopicPartition} is not assigned"));
            }

            _positions[tpo.TopicPartition] = Resolve(tpo);
        }
    }

    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _paused.UnionWith(partitions.Where(_assignment.Contains));
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _paused.ExceptWith(partitions);
        }
    }

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        lock (_gate)
        {
            return partitions.Select(tp => new TopicPartitionOffset(tp, cluster.GroupOffsets.TryGetValue(tp, out var o) ? o : Offset.Unset)).ToList();
        }
    }

    public void Commit(IEnumerable<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            if (CommitErrors.TryDequeue(out var refused))
            {
                throw new KafkaException(new Error(refused, $"OffsetCommit refused with {refused} (scripted)"));
            }

            foreach (var tpo in offsets)
            {
                cluster.GroupOffsets[tpo.TopicPartition] = tpo.Offset.Value;
            }
        }
    }

    public Offset Position(TopicPartition partition)
    {
        lock (_gate)
        {
            return _positions.TryGetValue(partition, out var p) ? p : Offset.Unset;
        }
    }

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition)
    {
        lock (_gate)
        {
            return Watermarks(topicPartition);
        }
    }

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout) => GetWatermarkOffsets(topicPartition);

    /// <summary>As librdkafka's close: the whole assignment is revoked through the callback (on the calling thread),
    /// then the member leaves the group (<see cref="Leaving"/> runs at that moment) and the consumer is closed.</summary>
    public void Close()
    {
        var revoked = RevokedPositions(null);
        if (revoked.Count > 0 && _onRevoked is { } onRevoked)
        {
            onRevoked(revoked);
        }

        IncrementalUnassign(revoked.Select(r => r.TopicPartition));
        Leaving?.Invoke();
        Closed = true;
        Free();
    }

    /// <summary>Runs when the closing consumer leaves the group (its LeaveGroup request), after the close's revocation.</summary>
    public Action? Leaving { get; set; }

    public void Dispose() => Free();

    public List<TopicPartitionOffset> Committed(TimeSpan timeout) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Commit() => throw new NotSupportedException();

    public void Commit(ConsumeResult<byte[], byte[]> result) => throw new NotSupportedException();

    public void StoreOffset(ConsumeResult<byte[], byte[]> result) => throw new NotSupportedException();

    public void StoreOffset(TopicPartitionOffset offset) => throw new NotSupportedException();

    public List<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout) => throw new NotSupportedException();

    public int AddBrokers(string brokers) => throw new NotSupportedException();

    public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

    private void Enqueue(GroupEvent groupEvent)
    {
        _events.Enqueue(groupEvent);
        _planned = groupEvent.Kind switch
        {
            Kind.Assign when _cooperative => _planned.Union(groupEvent.Partitions!).ToList(),
            Kind.Assign => groupEvent.Partitions!.ToList(),
            Kind.Revoke when groupEvent.Partitions is { } some => _planned.Except(some).ToList(),
            _ => new List<TopicPartition>(),
        };
    }

    private void Run(GroupEvent groupEvent)
    {
        switch (groupEvent.Kind)
        {
            case Kind.Assign:
                var positions = _onAssigned!(groupEvent.Partitions!.ToList()).ToList();
                lock (_gate)
                {
                    if (!_cooperative)
                    {
                        _assignment.Clear();
                        _positions.Clear();
                    }

                    AddAssigned(positions);
                }

                break;
            case Kind.Revoke:
                var revoked = RevokedPositions(groupEvent.Partitions);
                if (revoked.Count > 0 || !_cooperative)
                {
                    _onRevoked!(revoked);
                }

                IncrementalUnassign(revoked.Select(r => r.TopicPartition));
                break;
            case Kind.Lost:
                var lost = RevokedPositions(null);
                _onLost!(lost);
                IncrementalUnassign(lost.Select(r => r.TopicPartition));
                break;
        }
    }

    private List<TopicPartitionOffset> RevokedPositions(IReadOnlyList<TopicPartition>? partitions)
    {
        lock (_gate)
        {
            return (partitions ?? _assignment).Where(_assignment.Contains)
                .Select(tp => new TopicPartitionOffset(tp, _positions.TryGetValue(tp, out var p) ? p : Offset.Unset)).ToList();
        }
    }

    private void AddAssigned(IEnumerable<TopicPartitionOffset> partitions)
    {
        foreach (var tpo in partitions)
        {
            if (!_assignment.Contains(tpo.TopicPartition))
            {
                _assignment.Add(tpo.TopicPartition);
            }

            _positions[tpo.TopicPartition] = Resolve(tpo);
        }
    }

    /// <summary>The partition's pause stays: librdkafka keeps an application's pause across a re-assignment.</summary>
    private void RemoveAssigned(TopicPartition tp)
    {
        _assignment.Remove(tp);
        _positions.Remove(tp);
    }

    /// <summary>A logical offset as the consumer resolves it: the group's offset, else the log start (the engine turns
    /// logical positions into absolute ones before it hands them over, see ConsumerPositions).</summary>
    private long Resolve(TopicPartitionOffset tpo)
    {
        var log = cluster.Topic(tpo.Topic)[tpo.Partition.Value];
        if (tpo.Offset == Offset.End)
        {
            return log.End;
        }

        if (tpo.Offset == Offset.Beginning)
        {
            return log.LogStart;
        }

        if (tpo.Offset.IsSpecial)
        {
            return cluster.GroupOffsets.TryGetValue(tpo.TopicPartition, out var committed) ? committed : log.LogStart;
        }

        return tpo.Offset.Value;
    }

    private WatermarkOffsets Watermarks(TopicPartition tp) =>
        new(cluster.Topic(tp.Topic)[tp.Partition.Value].LogStart, cluster.StableOffset(tp.Topic, tp.Partition.Value));

    private (TopicPartition Partition, InMemoryCluster.StoredRecord Record, ConsumeResult<byte[], byte[]> Result)? NextRecord()
    {
        if (HoldRecords)
        {
            return null;
        }

        foreach (var tp in _assignment.Where(tp => !_paused.Contains(tp)))
        {
            foreach (var (offset, record) in cluster.Read(tp.Topic, tp.Partition.Value, _positions[tp]))
            {
                return (tp, record, new ConsumeResult<byte[], byte[]>
                {
                    TopicPartitionOffset = new TopicPartitionOffset(tp, offset),
                    Message = new Message<byte[], byte[]>
                    {
                        Key = record.Key!,
                        Value = record.Value!,
                        Headers = record.Headers ?? new Headers(),
                        Timestamp = new Timestamp(record.Timestamp, TimestampType.CreateTime),
                    },
                });
            }
        }

        return null;
    }

    /// <summary>Stream thread: waits for the test's <see cref="Step"/> (or <see cref="Free"/>).</summary>
    private void Park()
    {
        if (_free)
        {
            return;
        }

        _parked = true;
        _parks++;
        Monitor.PulseAll(_gate);
        while (!_release && !_free)
        {
            Monitor.Wait(_gate);
        }

        _release = false;
        _parked = false;
    }

    /// <summary>Test thread, holding the gate: a bounded wait that names what the thread failed to do.</summary>
    private void WaitUntil(Func<bool> condition, string what, Func<string?> failure)
    {
        var deadline = DateTime.UtcNow + s_stepBound;
        while (!condition())
        {
            if (failure() is { } why)
            {
                throw new InvalidOperationException($"Stream thread of {name} did not {what}: {why}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Stream thread of {name} did not {what} within {s_stepBound.TotalSeconds} s.");
            }

            Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50));
        }
    }

    private enum Kind
    {
        Assign,
        Revoke,
        Lost,
    }

    /// <summary>A group event; null partitions: the whole current assignment.</summary>
    private sealed record GroupEvent(Kind Kind, IReadOnlyList<TopicPartition>? Partitions);
}
