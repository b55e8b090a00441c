using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.State;

/// <summary>
/// Told how the restore of an active task's state stores from their changelogs progresses: Kafka Streams'
/// <c>StateRestoreListener</c> (with <c>onRestoreSuspended</c> of KIP-869). Set it on
/// <see cref="StreamsConfig.StateRestoreListener"/>; the engine's gauge <c>kafka.streams.restore_remaining_records</c>
/// and the restoring tasks' <see cref="TaskHealth.RestoreRemaining"/> are built on the same calls.
/// </summary>
/// <remarks>
/// <para>Order, per logged store of a task that starts on this instance: <see cref="OnRestoreStart"/> once, then
/// <see cref="OnBatchRestored"/> for each batch of records applied (none when the store was already at the changelog's
/// end), then exactly one of <see cref="OnRestoreEnd"/> (the task's restore completed; it runs next) or
/// <see cref="OnRestoreSuspended"/> (the restore stopped first: the partition was revoked, the task failed or was parked
/// for a retry, the application stopped). A later start of the same task is a new restore and begins with
/// <see cref="OnRestoreStart"/> again, from where the store's local checkpoint stands.</para>
/// <para>A task restores in two phases (engine README, "Rebalances"): catch-up rounds spread over the stream thread's
/// loop, then the restore proper, which reads the tail. Both are one restore here: one start, the batches of both
/// phases, one end. The end offset given at the start is the last stable offset known then; the changelog may grow
/// while the restore runs (the previous owner's last commit), and the restore proper reads to the newer end.</para>
/// <para>Offsets are changelog offsets. A changelog holds, besides the store's records, one commit marker per store per
/// commit and, on a real cluster, the transactions' control records; those take offsets and are never applied, so
/// <c>endOffset − startOffset</c> is an upper bound of the records a restore applies, not their count.</para>
/// <para>Not called for standby tasks: what a standby applies is an update, not a restore (Kafka Streams keeps it out
/// of this listener too); it is counted in <c>kafka.streams.update</c> and its distance in <c>pbs.standby.lag</c>. Not
/// called for global stores, nor for a task that resumes after a rebalance without a restore.</para>
/// <para>Threads: called on the stream thread that restores the task, so with
/// <see cref="StreamsConfig.NumStreamThreads"/> above 1 the methods run concurrently for different tasks; the calls for
/// one store never overlap and come in the order above. One instance serves every task, so it must be thread-safe. The
/// restore waits while a method runs: keep it short. An exception it throws is logged (warning 1090) and ignored; the
/// restore goes on.</para>
/// </remarks>
public interface IStateRestoreListener
{
    /// <summary>A store's restore begins.</summary>
    /// <param name="changelog">The store's changelog partition (the task's partition).</param>
    /// <param name="storeName">The store.</param>
    /// <param name="startOffset">The first changelog offset to read: the position of the store's local checkpoint, 0
    /// for a store without local state.</param>
    /// <param name="endOffset">The changelog offset the restore reads up to (exclusive): the last stable offset known at
    /// the start. Equal to <paramref name="startOffset"/> when there is nothing to restore.</param>
    void OnRestoreStart(TopicPartition changelog, string storeName, long startOffset, long endOffset);

    /// <summary>A batch of changelog records was applied to the store (written locally with its checkpoint).</summary>
    /// <param name="changelog">The store's changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="batchEndOffset">The last changelog offset the store's state now covers (its checkpoint's position
    /// minus one): the commit marker of the last transaction applied. A batch cut inside a long transaction (on a
    /// real cluster, at most 10,000 records or 16 MiB a batch) keeps the previous marker's offset.</param>
    /// <param name="numRestored">Records applied in this batch (at least 1; commit markers not counted).</param>
    void OnBatchRestored(TopicPartition changelog, string storeName, long batchEndOffset, long numRestored);

    /// <summary>The store's restore completed: the task's stores agree on one commit and the task runs next.</summary>
    /// <param name="changelog">The store's changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="totalRestored">Records applied to the store by this restore: the sum of its batches.</param>
    void OnRestoreEnd(TopicPartition changelog, string storeName, long totalRestored);

    /// <summary>The store's restore stopped before it completed (the task was closed); what was applied stays with its
    /// checkpoint, so a later restore goes on from there.</summary>
    /// <param name="changelog">The store's changelog partition.</param>
    /// <param name="storeName">The store.</param>
    /// <param name="totalRestored">Records applied to the store by this restore until it stopped.</param>
    void OnRestoreSuspended(TopicPartition changelog, string storeName, long totalRestored);
}
