using Avro.Specific;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.DeadLetters;

/// <summary>The outcome of re-driving one dead letter.</summary>
/// <param name="Id">The dead letter (<c>partition:offset</c>).</param>
/// <param name="Redriven">Whether it was republished.</param>
/// <param name="Detail">The new sequence number and idempotency key, or why it was not republished.</param>
public sealed record RedriveResult(string Id, bool Redriven, string Detail);

/// <summary>
/// Re-drives dead letters after their cause is fixed: the original trade is republished through the
/// <see cref="TradePublisher"/> with a fresh sequence number and its original idempotency key, so the topology applies
/// it at most once however often it is re-driven. A trade dead-lettered because the registry was down
/// (<see cref="DeadLetterReason.SchemaRegistryUnavailable"/>) never took its number, which its account still waits for:
/// it is republished as is, with its own number and key, and fills exactly its place.
/// </summary>
internal static class DeadLetterRedriver
{
    internal static async Task<IReadOnlyList<RedriveResult>> RedriveAsync(IEnumerable<DeadLetter> letters, TradePublisher publisher,
        CancellationToken cancellationToken)
    {
        var results = new List<RedriveResult>();
        foreach (var letter in letters)
        {
            results.Add(await RedriveOneAsync(letter, publisher, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>The account of a dead letter's original trade; null when it is not a trade or does not decode.</summary>
    internal static string? AccountOf(DeadLetter letter) => letter.Original switch
    {
        TradeCreated created => created.accountId,
        TradeAmended amended => amended.accountId,
        TradeCancelled cancelled => cancelled.accountId,
        _ => null,
    };

    private static async Task<RedriveResult> RedriveOneAsync(DeadLetter letter, TradePublisher publisher, CancellationToken cancellationToken)
    {
        if (letter.Reason == nameof(DeadLetterReason.SchemaRegistryUnavailable) && AccountOf(letter) is { } account)
        {
            // Dead-lettered before it could be decoded, so it never took its sequence number and its account waits for
            // it: republished as is, its own number fills exactly its place (the topology's awaiting-redrive mark).
            var (sequence, key) = letter.Original switch
            {
                TradeCreated c => (c.sequenceNumber, c.idempotencyKey),
                TradeAmended m => (m.sequenceNumber, m.idempotencyKey),
                TradeCancelled x => (x.sequenceNumber, x.idempotencyKey),
                _ => (0L, ""),
            };
            return Done(letter, await publisher.PublishAsIsAsync(account, letter.Original!, sequence, key, cancellationToken).ConfigureAwait(false));
        }

        switch (letter.Original)
        {
            case TradeCreated created:
            {
                var copy = TradeGenerator.Copy(created);
                var published = await publisher.PublishAsync(copy, cancellationToken).ConfigureAwait(false);
                return Done(letter, published);
            }

            case TradeAmended amended:
                amended.sequenceNumber = publisher.ReserveSequence(amended.accountId);
                return Done(letter, await publisher.PublishAsIsAsync(amended.accountId, amended, amended.sequenceNumber, amended.idempotencyKey, cancellationToken).ConfigureAwait(false));

            case TradeCancelled cancelled:
                cancelled.sequenceNumber = publisher.ReserveSequence(cancelled.accountId);
                return Done(letter, await publisher.PublishAsIsAsync(cancelled.accountId, cancelled, cancelled.sequenceNumber, cancelled.idempotencyKey, cancellationToken).ConfigureAwait(false));

            case ISpecificRecord other:
                return new RedriveResult(letter.Id, false, $"a {other.Schema.Name} is not a trade; not re-driven");

            default:
                return new RedriveResult(letter.Id, false, "the original record does not decode; not re-driven");
        }
    }

    private static RedriveResult Done(DeadLetter letter, PublishedTrade published) =>
        new(letter.Id, true, $"republished for {published.AccountId} as sequence {published.SequenceNumber}, idempotency key {published.IdempotencyKey} (partition {published.Partition}, offset {published.Offset})");
}
