using System.Text;
using Avro.Specific;
using Confluent.Kafka;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rules 1 and 2: decodes every record of <c>trade-events</c> with its writer schema, retrying transient registry
/// failures in place (the partition waits), and checks what sequencing needs. Checks, in order:
/// <list type="number">
/// <item><description>the bytes (<see cref="DeadLetterReason.EmptyPayload"/> .. <see cref="DeadLetterReason.CorruptBody"/>), dead-lettered at once;</description></item>
/// <item><description>the registry (<see cref="DeadLetterReason.SchemaRegistryUnavailable"/>) only after every retry, with the attempt count and a critical alert;</description></item>
/// <item><description>account id, key = account id, sequence number ≥ 1 (commands: a command id).</description></item>
/// </list>
/// Forwards an <see cref="EventFlow"/>, <see cref="CommandFlow"/> or <see cref="SettlementCommandFlow"/> keyed by the account, or a dead letter.
/// </summary>
internal sealed class DecodeProcessor : IProcessor<byte[], byte[], string, Flow>
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly RuleEnvironment _env;
    private readonly IDeserializer<ISpecificRecord> _deserializer;
    private IProcessorContext<string, Flow> _context = null!;
    private CounterStore _counters = null!;
    private IKeyValueStore<string, AwaitingRedrive> _awaiting = null!;

    /// <summary>Accounts whose range of <see cref="BrokerageStores.AwaitingRedrive"/> a scan found empty since: this
    /// processor is the store's only writer and starts with none (the engine makes new instances after a restore or an
    /// abort), so an account stays here until a mark is put for it, and the per-event scan is skipped meanwhile.</summary>
    private readonly HashSet<string> _withoutMarks = new(StringComparer.Ordinal);

    public static string[] StoreNames => [BrokerageStores.Counters, BrokerageStores.AwaitingRedrive];

    public DecodeProcessor(RuleEnvironment environment, IDeserializer<ISpecificRecord> deserializer)
    {
        _env = environment;
        _deserializer = deserializer;
    }

    public void Init(IProcessorContext<string, Flow> context)
    {
        _context = context;
        _counters = new CounterStore(context.GetStateStore<string, long>(BrokerageStores.Counters));
        _awaiting = context.GetStateStore<string, AwaitingRedrive>(BrokerageStores.AwaitingRedrive);
    }

    public void Process(Record<byte[], byte[]> record)
    {
        RecordMetadata meta = _context.RecordMetadata ?? throw new InvalidOperationException("Decoding runs on records, not in punctuators.");
        var source = new SourceRecord(meta.Topic, meta.Partition, meta.Offset, record.Key, record.Value, record.Timestamp);
        int attempts = 0;
        ISpecificRecord decoded;
        try
        {
            decoded = _env.RegistryRetry.Run(() => Decode(source, ref attempts));
        }
        catch (EventDeserializationException e) when (e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable)
        {
            Log.RegistryRetriesExhausted(_env.Logger, attempts, source.Topic, source.Partition, source.Offset);
            string message = $"The schema registry stayed unavailable through {attempts} attempts: {e.Message}";
            // The sequence number is inside the bytes, but the key names the account (trade-events is keyed by account):
            // mark the account as awaiting this record's re-drive, so its gap says which record fills it.
            string? account = AccountOfKey(source.Key);
            var awaiting = new AwaitingRedrive(source.Partition, source.Offset, source.Value, _context.CurrentSystemTimeMs);
            if (account is not null)
            {
                _awaiting.Put(StoreKeys.AwaitingRedrive(account, source.Partition, source.Offset), awaiting);
                _withoutMarks.Remove(account);
            }

            DeadLetter(source, account, DeadLetterReason.SchemaRegistryUnavailable, message, attempts);
            string advice = account is null
                ? "Its key names no account. Re-drive it once the registry is back."
                : $"Its account {account} (the record key) holds every later trade behind its sequence number. Once the registry is back, re-drive it as is: re-drive its dead letter (the one from {source.Topic} {awaiting.Id}, partition:offset; dlq lists them) with dlq --redrive, which republishes a record dead-lettered for this reason with its own sequence number and idempotency key, so it fills exactly its place.";
            var details = new Dictionary<string, string>
            {
                ["sourceTopic"] = source.Topic,
                ["sourcePartition"] = source.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["sourceOffset"] = source.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["retryCount"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["awaitingRedrive"] = awaiting.Id,
            };
            _context.Forward(new Record<string, Flow>(account ?? nameof(AlertKind.REGISTRY_RETRIES_EXHAUSTED), Alerts.Create(
                $"registry-retries-exhausted:{source.Topic}:{source.Partition}:{source.Offset}",
                AlertKind.REGISTRY_RETRIES_EXHAUSTED, AlertSeverity.CRITICAL, account,
                $"A record of {source.Topic} [{source.Partition}] at offset {source.Offset} was dead-lettered after {attempts} attempts: the schema registry was unavailable. {advice}",
                details, _context.CurrentSystemTimeMs), source.Timestamp));
            return;
        }
        catch (EventDeserializationException e)
        {
            DeadLetter(source, null, ReasonOf(e.Reason), e.Message, attempts);
            return;
        }

        switch (decoded)
        {
            case TradeCreated created:
                ForwardEvent(source, created.accountId, created.sequenceNumber, () => new TradeEvent
                {
                    AmountProblem = AmountProblem(("quantity", new(created.quantity)), ("price", new(created.price))),
                    Kind = TradeEventKind.Created,
                    AccountId = created.accountId,
                    SequenceNumber = created.sequenceNumber,
                    IdempotencyKey = created.idempotencyKey ?? "",
                    TradeId = created.tradeId ?? "",
                    InstrumentId = created.instrumentId,
                    Quantity = AmountOrZero(new(created.quantity)),
                    Price = AmountOrZero(new(created.price)),
                    Currency = created.currency,
                    Side = created.side,
                    OrderId = created.orderId,
                    Strategy = created.strategy,
                    Timestamp = ToUnixMs(created.timestamp),
                    Source = source,
                });
                break;
            case TradeAmended amended:
                ForwardEvent(source, amended.accountId, amended.sequenceNumber, () => new TradeEvent
                {
                    AmountProblem = AmountProblem(("amendedQuantity", new(amended.amendedQuantity)), ("amendedPrice", new(amended.amendedPrice))),
                    Kind = TradeEventKind.Amended,
                    AccountId = amended.accountId,
                    SequenceNumber = amended.sequenceNumber,
                    IdempotencyKey = amended.idempotencyKey ?? "",
                    TradeId = amended.tradeId ?? "",
                    Quantity = AmountOrZero(new(amended.amendedQuantity)),
                    Price = AmountOrZero(new(amended.amendedPrice)),
                    Reason = amended.reason,
                    Timestamp = ToUnixMs(amended.timestamp),
                    Source = source,
                });
                break;
            case TradeCancelled cancelled:
                ForwardEvent(source, cancelled.accountId, cancelled.sequenceNumber, () => new TradeEvent
                {
                    Kind = TradeEventKind.Cancelled,
                    AccountId = cancelled.accountId,
                    SequenceNumber = cancelled.sequenceNumber,
                    IdempotencyKey = cancelled.idempotencyKey ?? "",
                    TradeId = cancelled.tradeId ?? "",
                    Reason = cancelled.reason,
                    Timestamp = ToUnixMs(cancelled.timestamp),
                    Source = source,
                });
                break;
            case ResolveSequenceGap command:
                if (CheckAccount(source, command.accountId) is { } account)
                {
                    if (string.IsNullOrWhiteSpace(command.commandId))
                    {
                        DeadLetter(source, account, DeadLetterReason.MissingCommandId, "A ResolveSequenceGap command has no commandId.");
                        return;
                    }

                    _context.Forward(new Record<string, Flow>(account, new CommandFlow(new GapCommand(
                        command.commandId, account, command.expectedSequence, command.requestedBy ?? "", command.reason ?? "",
                        ToUnixMs(command.timestamp), source)), source.Timestamp));
                }

                break;
            case ConfirmSettlement confirmation:
                if (CheckAccount(source, confirmation.accountId) is { } confirmedAccount)
                {
                    if (!IsValidId(confirmation.commandId))
                    {
                        DeadLetter(source, confirmedAccount, DeadLetterReason.MissingCommandId, "A ConfirmSettlement command has no commandId.");
                        return;
                    }

                    _context.Forward(new Record<string, Flow>(confirmedAccount, new SettlementCommandFlow(new SettlementCommand(
                        confirmation.commandId, confirmedAccount, confirmation.tradeId ?? "", confirmation.outcome, confirmation.reason,
                        confirmation.requestedBy ?? "", ToUnixMs(confirmation.timestamp), source)), source.Timestamp));
                }

                break;
            default:
                // The serde only returns the listed record types; anything else is a bug in the list, not bad input.
                throw new InvalidOperationException($"The trade-events serde returned an unlisted type {decoded.GetType().FullName}.");
        }
    }

    internal static DeadLetterReason ReasonOf(DeserializationFailureReason reason) => reason switch
    {
        DeserializationFailureReason.EmptyPayload => DeadLetterReason.EmptyPayload,
        DeserializationFailureReason.HeaderTooShort => DeadLetterReason.HeaderTooShort,
        DeserializationFailureReason.UnknownMagicByte => DeadLetterReason.UnknownMagicByte,
        DeserializationFailureReason.UnknownSchemaId => DeadLetterReason.UnknownSchemaId,
        DeserializationFailureReason.UnexpectedRecordType => DeadLetterReason.UnexpectedRecordType,
        DeserializationFailureReason.IncompatibleSchema => DeadLetterReason.UnsupportedSchemaVersion,
        DeserializationFailureReason.CorruptBody => DeadLetterReason.CorruptBody,
        DeserializationFailureReason.SchemaRegistryUnavailable => DeadLetterReason.SchemaRegistryUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown deserialization failure reason."),
    };

    /// <summary>Whether <paramref name="id"/> is usable as an id: not blank, no control characters (store keys use U+0000).</summary>
    internal static bool IsValidId(string? id) => !string.IsNullOrWhiteSpace(id) && !id.Any(char.IsControl);

    /// <summary>A decimal the contract's type could not hold (over 96 bits, or a scale beyond 28) reads as 0 here and is
    /// dead-lettered by validation (<see cref="DeadLetterReason.AmountOutOfRange"/>), after sequencing, so the event
    /// still takes its place in the account's order.</summary>
    private static decimal AmountOrZero(Money.Wire value) => Money.TryFromAvro(value, out var amount) ? amount : 0m;

    private static string? AmountProblem(params (string Field, Money.Wire Value)[] amounts)
    {
        foreach (var (field, value) in amounts)
        {
            if (!Money.TryFromAvro(value, out _))
            {
                return $"{field}: Avro decimal {value.Value} does not fit System.Decimal exactly.";
            }
        }

        return null;
    }

    private static long ToUnixMs(DateTime time) =>
        new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    private ISpecificRecord Decode(SourceRecord source, ref int attempts)
    {
        attempts++;
        try
        {
            return _deserializer.Deserialize(source.Value, source.Value is null, new SerializationContext(MessageComponentType.Value, source.Topic));
        }
        catch (EventDeserializationException e) when (e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable && attempts < _env.Options.RegistryRetry.MaxAttempts)
        {
            _env.Metrics.RegistryRetry();
            Log.RegistryRetry(_env.Logger, source.Topic, source.Partition, source.Offset, attempts, _env.Options.RegistryRetry.DelayBeforeRetry(attempts), e);
            throw;
        }
    }

    private void ForwardEvent(SourceRecord source, string? accountId, long sequenceNumber, Func<TradeEvent> create)
    {
        if (CheckAccount(source, accountId) is not { } account)
        {
            return;
        }

        if (sequenceNumber < 1)
        {
            DeadLetter(source, account, DeadLetterReason.InvalidSequenceNumber, $"Sequence number {sequenceNumber} is not positive; sequences start at 1.");
            return;
        }

        TradeEvent e = create();
        if (RedriveOf(account, e) is { } redriveOf)
        {
            e = e with { RedriveOf = redriveOf };
        }

        _context.Forward(new Record<string, Flow>(account, new EventFlow(e), source.Timestamp));
    }

    /// <summary>
    /// Whether <paramref name="e"/> is the re-drive of a record of its account dead-lettered undecoded: that record,
    /// decoded now, has the same sequence number and idempotency key. Its mark is removed and its id returned. A range
    /// scan of the account's marks, until one finds none (almost always the first).
    /// </summary>
    private string? RedriveOf(string account, TradeEvent e)
    {
        if (_withoutMarks.Contains(account))
        {
            return null;
        }

        var marks = _awaiting.Range(StoreKeys.AccountPrefix(account), StoreKeys.AccountPrefixEnd(account)).ToList();
        if (marks.Count == 0)
        {
            if (_withoutMarks.Count >= TimeIndexExpiry.MaxAccounts)
            {
                _withoutMarks.Clear(); // bounds the memory; the next scans find the accounts again
            }

            _withoutMarks.Add(account);
            return null;
        }

        foreach (var (key, awaiting) in marks)
        {
            ISpecificRecord original;
            try
            {
                original = _deserializer.Deserialize(awaiting.Value, awaiting.Value is null, new SerializationContext(MessageComponentType.Value, e.Source.Topic));
            }
            catch (EventDeserializationException)
            {
                continue; // the registry may still be down for its schema: try again with the account's next event
            }

            (long sequence, string? idempotencyKey) = original switch
            {
                TradeCreated c => (c.sequenceNumber, c.idempotencyKey),
                TradeAmended m => (m.sequenceNumber, m.idempotencyKey),
                TradeCancelled x => (x.sequenceNumber, x.idempotencyKey),
                _ => (0L, null),
            };
            if (sequence == e.SequenceNumber && idempotencyKey == e.IdempotencyKey)
            {
                _awaiting.Delete(key);
                Log.RedriveArrived(_env.Logger, account, awaiting.Id, e.SequenceNumber);
                return awaiting.Id;
            }
        }

        return null;
    }

    /// <summary>The account a record key names (trade-events is keyed by account id), or null if it names none.</summary>
    private static string? AccountOfKey(byte[]? key)
    {
        try
        {
            string? account = key is null ? null : s_strictUtf8.GetString(key);
            return IsValidId(account) ? account : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The account id when it is valid and equals the record key; otherwise dead-letters and returns null.</summary>
    private string? CheckAccount(SourceRecord source, string? accountId)
    {
        if (!IsValidId(accountId))
        {
            DeadLetter(source, null, DeadLetterReason.MissingAccountId, "The event has no account id (empty, blank or with control characters).");
            return null;
        }

        string? key;
        try
        {
            key = source.Key is null ? null : s_strictUtf8.GetString(source.Key);
        }
        catch (DecoderFallbackException)
        {
            key = null;
        }

        if (key != accountId)
        {
            DeadLetter(source, accountId, DeadLetterReason.AccountKeyMismatch,
                key is null
                    ? $"The record has no UTF-8 key; trade-events is keyed by account id '{accountId}'."
                    : $"The record key '{key}' differs from the event's account id '{accountId}', so the event sits on another account's partition.");
            return null;
        }

        return accountId;
    }

    private void DeadLetter(SourceRecord source, string? accountId, DeadLetterReason reason, string message, int attempts = 1)
    {
        _counters.Increment(CounterStore.DeadLetteredPrefix + reason);
        _env.Metrics.DeadLettered(reason);
        Log.DeadLettered(_env.Logger, reason, source.Topic, source.Partition, source.Offset, message);
        _context.Forward(new Record<string, Flow>(accountId ?? "", DeadLetters.Create(source, reason, message, Math.Max(1, attempts), _context.CurrentSystemTimeMs), source.Timestamp));
    }
}
