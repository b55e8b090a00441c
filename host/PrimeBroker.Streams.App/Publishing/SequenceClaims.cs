using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Publishing;

/// <summary>
/// Makes this instance the only one that numbers the trades of the <c>trade-events</c> partitions it owns, so
/// <c>POST /trades</c> on several instances never assigns one account's sequence number twice.
/// </summary>
/// <remarks>
/// <para>Every instance routes a trade to the owner of its account's partition (the HTTP API's <c>OwnerRouter</c>), so at
/// any moment one instance numbers a partition's accounts. Ownership moves in a rebalance, and the new owner's
/// publisher counters are as old as its last read of the topic: numbering from them would repeat numbers the previous
/// owner assigned meanwhile (the topology would skip the second trade as a resend). So a partition is <em>claimed</em>
/// before its first trade is numbered here: the publisher reads the partition back
/// (<see cref="Brokerage.Publishing.TradePublisher.RecoverPartitionsAsync"/>) and continues from the highest number it holds.</para>
/// <para>A claim ends as soon as <see cref="SequenceClaimWatcher"/> sees the partition leave this instance or the
/// application leave <see cref="StreamsState.Running"/> (any rebalance or restore); the next trade claims it again. A
/// claim read back while it was being released is not used (the trade is answered 503 and retried).</para>
/// <para>What this relies on: Kafka hands a partition to a new owner only after the old owner's consumer gave it up,
/// and the old owner stops numbering when its task closes; its last records are acknowledged within the producer's
/// linger and round trip (milliseconds), long before the new owner has restored the task and read the partition back.
/// A process that stalls for longer between the ownership check and the produce call (a zombie) is not fenced; a
/// transactional producer per partition would fence it, at the cost of one transaction per trade.</para>
/// <para>Thread-safe.</para>
/// </remarks>
internal sealed class SequenceClaims(PublisherHostedService publishing, ILogger<SequenceClaims> logger)
{
    private readonly ConcurrentDictionary<int, Claim> _claims = new();

    /// <summary>
    /// Claims <paramref name="partition"/> for numbering if it is not claimed yet: reads it back and raises the
    /// publisher's counters. <paramref name="accountId"/> is remembered to check later that the partition is still here.
    /// </summary>
    /// <returns>True when the partition is claimed; false when the claim was released while it was being read (the
    /// caller answers 503 and the client retries).</returns>
    /// <exception cref="TimeoutException">The partition could not be read back in time.</exception>
    internal async Task<bool> ClaimAsync(int partition, string accountId, CancellationToken cancellationToken)
    {
        var claim = _claims.GetOrAdd(partition, static _ => new Claim());
        if (claim.Current)
        {
            return true;
        }

        await claim.Gate.WaitAsync(cancellationToken);
        try
        {
            long version;
            lock (claim)
            {
                if (claim.Current)
                {
                    return true;
                }

                version = claim.Version;
                claim.SampleAccount = accountId;
            }

            await publishing.Publisher.RecoverPartitionsAsync([partition], cancellationToken);
            lock (claim)
            {
                if (claim.Version != version)
                {
                    return false; // released meanwhile: what was read may already be out of date
                }

                claim.Current = true;
            }

            AppLog.PartitionClaimed(logger, partition, publishing.Publisher.Topic);
            return true;
        }
        finally
        {
            claim.Gate.Release();
        }
    }

    /// <summary>Whether <paramref name="partition"/> is claimed now.</summary>
    internal bool IsClaimed(int partition) => _claims.TryGetValue(partition, out var claim) && claim.Current;

    /// <summary>Ends the claims <paramref name="stillOwned"/> rejects, and every claim when it is null. A claim being
    /// read back now is invalidated too.</summary>
    /// <param name="stillOwned">Given a partition and the account it was claimed for, whether it is still here; null
    /// releases every claim.</param>
    internal void Release(Func<int, string, bool>? stillOwned)
    {
        foreach (var (partition, claim) in _claims)
        {
            string? account;
            lock (claim)
            {
                account = claim.SampleAccount;
            }

            if (account is null || (stillOwned is not null && stillOwned(partition, account)))
            {
                continue;
            }

            bool wasCurrent;
            lock (claim)
            {
                wasCurrent = claim.Current;
                claim.Current = false;
                claim.Version++;
            }

            if (wasCurrent)
            {
                AppLog.PartitionReleased(logger, partition);
            }
        }
    }

    private sealed class Claim
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public volatile bool Current;
        public long Version;
        public string? SampleAccount;
    }
}
