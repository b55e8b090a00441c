using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 5: business validation after sequencing and idempotency. Checks in <see cref="DeadLetterReason"/> order:
/// quantity &gt; 0, price &gt; 0, an ISO 4217 currency, a known instrument in that currency, a notional that fits
/// decimal(28,8), a new trade id; for amends and cancels a known trade of the same account that is neither cancelled nor
/// settled. An
/// invalid event is dead-lettered with its reason; its sequence number is consumed (sequencing already advanced).
/// </summary>
internal sealed class ValidationProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IKeyValueStore<string, TradeState> _trades = null!;
    private IKeyValueStore<string, InstrumentUpdated> _instruments = null!;

    public static string[] StoreNames => [BrokerageStores.Trades, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _trades = context.GetStateStore<string, TradeState>(BrokerageStores.Trades);
        _instruments = context.GetStateStore<string, InstrumentUpdated>(BrokerageStores.Instruments);
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        if (record.Value is not EventFlow { Event: var e })
        {
            return false;
        }

        (DeadLetterReason Reason, string Message)? failure;
        try
        {
            failure = CheckReadable(e) ?? e.Kind switch
            {
                TradeEventKind.Created => CheckCreated(e),
                TradeEventKind.Amended => CheckAmount(e) ?? CheckExisting(e),
                TradeEventKind.Cancelled => CheckExisting(e),
                _ => throw new ArgumentOutOfRangeException(nameof(record), e.Kind, "Unknown trade event kind."),
            };
        }
        catch (EventDeserializationException unavailable) when (unavailable.Reason == DeserializationFailureReason.SchemaRegistryUnavailable)
        {
            // Rule 2 for the instrument table: the retries are exhausted; dead-letter with the attempts and a critical alert.
            int attempts = Env.Options.RegistryRetry.MaxAttempts;
            string message = $"{e}: instrument {e.InstrumentId} could not be decoded, the schema registry stayed unavailable through {attempts} attempts: {unavailable.Message}";
            DeadLetter(e.Source, e.AccountId, DeadLetterReason.SchemaRegistryUnavailable, message, attempts);
            Alert(e.AccountId, Alerts.Create($"registry-retries-exhausted:{e.Source.Topic}:{e.Source.Partition}:{e.Source.Offset}",
                AlertKind.REGISTRY_RETRIES_EXHAUSTED, AlertSeverity.CRITICAL, e.AccountId, message,
                new Dictionary<string, string> { ["retryCount"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                Context.CurrentSystemTimeMs), record.Timestamp);
            return true;
        }

        if (failure is { } f)
        {
            DeadLetter(e.Source, e.AccountId, f.Reason, $"{e}: {f.Message}");
            return true;
        }

        return false;
    }

    /// <summary>What every kind needs: amounts of the contract's type, an event time the wall clock allows, and (for a
    /// create or an amend) a trade date the settlement calendar can place.</summary>
    private (DeadLetterReason, string)? CheckReadable(TradeEvent e)
    {
        if (e.AmountProblem is { } problem)
        {
            return (DeadLetterReason.AmountOutOfRange, $"An amount cannot be read as decimal(28,8): {problem}");
        }

        if (e.Kind != TradeEventKind.Cancelled && (!MoneyMath.FitsContract(e.Quantity) || !MoneyMath.FitsContract(e.Price)))
        {
            return (DeadLetterReason.AmountOutOfRange, $"Quantity {e.Quantity} or price {e.Price} is not a decimal(28,8) (at most 20 integer digits and 8 places).");
        }

        long aheadMs = e.Timestamp - Context.CurrentSystemTimeMs;
        if (aheadMs > (long)Env.Options.MaxEventTimeAhead.TotalMilliseconds)
        {
            return (DeadLetterReason.EventTimeAhead,
                $"Event time {DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp):O} is {TimeSpan.FromMilliseconds(aheadMs)} ahead of the wall clock; at most {Env.Options.MaxEventTimeAhead} (MaxEventTimeAhead) is accepted.");
        }

        // An amend may re-instruct the settlement from its own date (rule 8), so it needs a date the calendar can place too.
        if (e.Kind != TradeEventKind.Cancelled && SettlementDate(e) is null)
        {
            return (DeadLetterReason.SettlementDateOutOfRange, $"No settlement date T+{Env.Options.SettlementLagBusinessDays} exists for event time {e.Timestamp} ms.");
        }

        return null;
    }

    /// <summary>The trade's settlement date, or null when the calendar cannot place it.</summary>
    internal DateOnly? SettlementDate(TradeEvent e)
    {
        try
        {
            var tradeDate = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).UtcDateTime);
            return Env.Calendar.SettlementDate(tradeDate, Env.Options.SettlementLagBusinessDays);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private (DeadLetterReason, string)? CheckCreated(TradeEvent e)
    {
        if (CheckAmount(e) is { } amountFailure)
        {
            return amountFailure;
        }

        if (!Iso4217.IsActive(e.Currency))
        {
            return (DeadLetterReason.UnknownCurrency, $"Currency '{e.Currency}' is not an active ISO 4217 code.");
        }

        InstrumentUpdated? instrument = ReadInstrument(e.InstrumentId!);
        if (instrument is null)
        {
            return (DeadLetterReason.UnknownInstrument, $"Instrument '{e.InstrumentId}' is not in the instrument table.");
        }

        if (instrument.currency != e.Currency)
        {
            return (DeadLetterReason.CurrencyMismatch, $"Instrument '{e.InstrumentId}' trades in {instrument.currency}, the trade is in {e.Currency}.");
        }

        if (CheckNotional(e) is { } notionalFailure)
        {
            return notionalFailure;
        }

        if (_trades.TryGet(e.TradeId, out TradeState? existing))
        {
            return (DeadLetterReason.DuplicateTradeId, $"Trade id {e.TradeId} was already booked (account {existing!.AccountId}, sequence {existing.BookedSequence}) under another idempotency key.");
        }

        return null;
    }

    /// <summary>Quantity, price and (for an amend, whose currency is the trade's) the notional.</summary>
    private static (DeadLetterReason, string)? CheckAmount(TradeEvent e)
    {
        if (e.Quantity <= 0)
        {
            return (DeadLetterReason.NonPositiveQuantity, $"Quantity {e.Quantity} is not positive.");
        }

        if (e.Price <= 0)
        {
            return (DeadLetterReason.NonPositivePrice, $"Price {e.Price} is not positive.");
        }

        return e.Kind == TradeEventKind.Amended ? CheckNotional(e) : null;
    }

    /// <summary>The notional must fit decimal(28,8) and must not round to zero (a ledger entry of 0 cannot balance).</summary>
    private static (DeadLetterReason, string)? CheckNotional(TradeEvent e)
    {
        if (!MoneyMath.TryNotional(e.Quantity, e.Price, out decimal notional))
        {
            return (DeadLetterReason.NotionalOutOfRange, $"{e.Quantity} × {e.Price} does not fit decimal(28,8).");
        }

        if (notional == 0)
        {
            return (DeadLetterReason.NotionalRoundsToZero, $"{e.Quantity} × {e.Price} rounds to 0 at {Contracts.Money.Scale} places: nothing could be posted or settled.");
        }

        return null;
    }

    private (DeadLetterReason, string)? CheckExisting(TradeEvent e)
    {
        if (!_trades.TryGet(e.TradeId, out TradeState? trade))
        {
            return (DeadLetterReason.UnknownTrade, $"Trade {e.TradeId} is not booked on this account's partition.");
        }

        if (trade!.AccountId != e.AccountId)
        {
            return (DeadLetterReason.TradeOfAnotherAccount, $"Trade {e.TradeId} belongs to account {trade.AccountId}, not {e.AccountId}.");
        }

        if (trade.Cancelled)
        {
            return (DeadLetterReason.TradeAlreadyCancelled, $"Trade {e.TradeId} is already cancelled.");
        }

        if (trade.Status == SettlementStatus.SETTLED)
        {
            return (DeadLetterReason.TradeAlreadySettled,
                $"Trade {e.TradeId} has settled (settlement {trade.TradeId}:settlement is SETTLED): a settled trade is not restated; book the correction as new trades.");
        }

        return null;
    }

    /// <summary>Reads the global table; decoding an instrument may ask the registry, retried like trade decoding.</summary>
    private InstrumentUpdated? ReadInstrument(string instrumentId)
    {
        try
        {
            return Env.RegistryRetry.Run(() => _instruments.TryGet(instrumentId, out InstrumentUpdated? found) ? found : null);
        }
        catch (EventDeserializationException e) when (e.Reason != DeserializationFailureReason.SchemaRegistryUnavailable)
        {
            // A corrupt instrument record: the instrument is not known in any usable form.
            return null;
        }
    }
}
