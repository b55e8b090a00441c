using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Generation;

/// <summary>What the generator has sent so far.</summary>
internal sealed record GeneratorProgress(long Sent, long New, long Duplicates, long Resends, long Reordered, long Invalid, long Failed, TimeSpan Elapsed);

/// <summary>A new valid trade the generator published, for latency measurement.</summary>
internal sealed record GeneratedTrade(string AccountId, string InstrumentId, long SequenceNumber, long PublishedTimestamp);

/// <summary>
/// The load generator: trades at a steady rate over a set of accounts and instruments, through
/// <see cref="TradePublisher"/> (which numbers them), with a configurable share of duplicates (same idempotency key,
/// fresh sequence number), resends (the same record again), reordered pairs (two consecutive numbers sent swapped) and
/// invalid trades (unknown instrument, zero quantity). Moves one instrument's price now and then.
/// </summary>
/// <remarks>Pacing: every 10 ms it sends what the rate allows since the start, so the long-run rate is exact and a slow
/// moment is caught up. Publishes are not awaited one by one (at most 10,000 in flight). Single-threaded use.</remarks>
internal sealed class TradeGenerator(GeneratorOptions options, TradePublisher publisher, InstrumentPublisher instruments, ILogger logger,
    Action<GeneratedTrade>? published = null)
{
    private readonly Random _random = new(options.Seed);
    private readonly Dictionary<string, TradeCreated> _lastByAccount = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _inFlight = new(10_000);
    private readonly Stopwatch _clock = new();
    private long _sent;
    private long _new;
    private long _duplicates;
    private long _resends;
    private long _reordered;
    private long _invalid;
    private long _failed;
    private long _tradeCounter;

    internal GeneratorProgress Progress => new(Interlocked.Read(ref _sent), Interlocked.Read(ref _new), Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _resends), Interlocked.Read(ref _reordered), Interlocked.Read(ref _invalid), Interlocked.Read(ref _failed), _clock.Elapsed);

    /// <summary>Sends until cancelled, or until <see cref="GeneratorOptions.Duration"/> or <see cref="GeneratorOptions.Count"/>
    /// is reached; then waits for the records in flight.</summary>
    internal async Task RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var nextPriceUpdate = options.PriceUpdateInterval;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (!Done() && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var due = (long)(_clock.Elapsed.TotalSeconds * options.Rate);
                if (options.Count is { } count)
                {
                    due = Math.Min(due, count);
                }

                while (Interlocked.Read(ref _sent) < due && !cancellationToken.IsCancellationRequested)
                {
                    await SendOneAsync(cancellationToken).ConfigureAwait(false);
                }

                if (options.PriceUpdateInterval > TimeSpan.Zero && _clock.Elapsed >= nextPriceUpdate)
                {
                    nextPriceUpdate += options.PriceUpdateInterval;
                    var index = _random.Next(options.Instruments);
                    var move = 1m + (_random.Next(-100, 101) / 10_000m);
                    var price = decimal.Round(InstrumentCatalog.BasePrice(index) * move, 2);
                    _ = Track(instruments.PublishAsync([InstrumentCatalog.Instrument(index, price)], CancellationToken.None), counted: false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // Let what was sent be acknowledged (bounded by the publisher's delivery timeout).
        for (var i = 0; i < 10_000; i++)
        {
            await _inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _inFlight.Release(10_000);
        _clock.Stop();
    }

    private bool Done() =>
        (options.Count is { } count && Interlocked.Read(ref _sent) >= count)
        || (options.Duration is { } duration && _clock.Elapsed >= duration);

    private async Task SendOneAsync(CancellationToken cancellationToken)
    {
        var account = InstrumentCatalog.AccountId(_random.Next(options.Accounts));
        var roll = _random.NextDouble();
        var last = _lastByAccount.GetValueOrDefault(account);
        if (roll < options.InvalidRatio)
        {
            var trade = NewTrade(account);
            if (_random.Next(2) == 0)
            {
                trade.instrumentId = InstrumentCatalog.UnknownInstrument;
            }
            else
            {
                trade.quantity = Money.ToAvro(0m);
            }

            Interlocked.Increment(ref _invalid);
            await Send(publisher.PublishAsync(trade, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else if (last is not null && roll < options.InvalidRatio + options.DuplicateRatio)
        {
            // The same trade again under its idempotency key, numbered anew: the topology must skip it.
            var copy = Copy(last);
            Interlocked.Increment(ref _duplicates);
            await Send(publisher.PublishAsync(copy, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else if (last is not null && roll < options.InvalidRatio + options.DuplicateRatio + options.ResendRatio)
        {
            // A producer retry: the very same record, same sequence number.
            Interlocked.Increment(ref _resends);
            await Send(publisher.PublishAsIsAsync(account, Copy(last), last.sequenceNumber, last.idempotencyKey, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else if (roll < options.InvalidRatio + options.DuplicateRatio + options.ResendRatio + options.ReorderRatio
                 && (options.Count is not { } count || Interlocked.Read(ref _sent) + 2 <= count))
        {
            // (A swapped pair is two records: not as the last one of a --count, which would send one too many.)
            // Two consecutive numbers, the later one first: the topology holds it until the earlier arrives.
            var first = NewTrade(account);
            var second = NewTrade(account);
            first.idempotencyKey = Guid.NewGuid().ToString("N");
            second.idempotencyKey = Guid.NewGuid().ToString("N");
            first.sequenceNumber = publisher.ReserveSequence(account);
            second.sequenceNumber = publisher.ReserveSequence(account);
            Interlocked.Increment(ref _reordered);
            await Send(publisher.PublishAsIsAsync(account, second, second.sequenceNumber, second.idempotencyKey, cancellationToken), cancellationToken).ConfigureAwait(false);
            await Send(publisher.PublishAsIsAsync(account, first, first.sequenceNumber, first.idempotencyKey, cancellationToken), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _new);
            _lastByAccount[account] = second;
        }
        else
        {
            var trade = NewTrade(account);
            var timestamp = Stopwatch.GetTimestamp();
            var sending = publisher.PublishAsync(trade, cancellationToken);
            _lastByAccount[account] = trade;
            Interlocked.Increment(ref _new);
            published?.Invoke(new GeneratedTrade(account, trade.instrumentId, trade.sequenceNumber, timestamp));
            await Send(sending, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task Send(Task<PublishedTrade> sending, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _sent);
        _ = Track(sending, counted: true);
    }

    private async Task Track(Task sending, bool counted)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            GeneratorLog.PublishFailed(logger, e.Message);
        }
        finally
        {
            if (counted)
            {
                _inFlight.Release();
            }
        }
    }

    private TradeCreated NewTrade(string account)
    {
        var instrument = _random.Next(options.Instruments);
        var price = decimal.Round(InstrumentCatalog.BasePrice(instrument) * (1m + (_random.Next(-200, 201) / 10_000m)), 2);
        return new TradeCreated
        {
            tradeId = $"T-{options.Seed}-{Interlocked.Increment(ref _tradeCounter):D9}",
            accountId = account,
            instrumentId = InstrumentCatalog.InstrumentId(instrument),
            quantity = Money.ToAvro(_random.Next(1, 101)),
            price = Money.ToAvro(price),
            currency = "USD",
            side = _random.Next(2) == 0 ? TradeSide.BUY : TradeSide.SELL,
            timestamp = DateTime.UtcNow,
            idempotencyKey = string.Empty,
        };
    }

    internal static TradeCreated Copy(TradeCreated t) => new()
    {
        tradeId = t.tradeId,
        accountId = t.accountId,
        instrumentId = t.instrumentId,
        quantity = t.quantity,
        price = t.price,
        currency = t.currency,
        side = t.side,
        timestamp = t.timestamp,
        idempotencyKey = t.idempotencyKey,
        sequenceNumber = t.sequenceNumber,
        orderId = t.orderId,
        strategy = t.strategy,
    };
}

/// <summary>Log messages of the generator, event ids 9520-9529.</summary>
internal static partial class GeneratorLog
{
    [LoggerMessage(9520, LogLevel.Warning, "A generated record could not be published: {Reason}")]
    internal static partial void PublishFailed(ILogger logger, string reason);
}
