using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// Base of the rule processors: each handles the <see cref="Flow"/> kinds of its rule and forwards every other kind
/// unchanged, so the chain reads in rule order and the sinks at its end route by kind.
/// </summary>
internal abstract class RuleProcessor : IProcessor<string, Flow, string, Flow>
{
    protected RuleProcessor(RuleEnvironment environment) => Env = environment;

    protected RuleEnvironment Env { get; }

    protected IProcessorContext<string, Flow> Context { get; private set; } = null!;

    protected CounterStore Counters { get; private set; } = null!;

    public virtual void Init(IProcessorContext<string, Flow> context)
    {
        Context = context;
        Counters = new CounterStore(context.GetStateStore<string, long>(BrokerageStores.Counters));
    }

    public void Process(Record<string, Flow> record)
    {
        if (!Handle(record))
        {
            Context.Forward(record);
        }
    }

    /// <summary>Handles the record and returns true, or returns false to pass it on unchanged.</summary>
    protected abstract bool Handle(Record<string, Flow> record);

    protected void Forward(string key, Flow flow, long timestamp) => Context.Forward(new Record<string, Flow>(key, flow, timestamp));

    protected void DeadLetter(SourceRecord source, string? accountId, DeadLetterReason reason, string message, int attempts = 1)
    {
        Counters.Increment(CounterStore.DeadLetteredPrefix + reason);
        Env.Metrics.DeadLettered(reason);
        Log.DeadLettered(Env.Logger, reason, source.Topic, source.Partition, source.Offset, message);
        Forward(accountId ?? "", DeadLetters.Create(source, reason, message, attempts, Context.CurrentSystemTimeMs), source.Timestamp);
    }

    protected void Alert(string? accountId, Flow alert, long timestamp) => Forward(accountId ?? "", alert, timestamp);

    /// <summary>
    /// Finding 8 of issue 18: <paramref name="e"/> repeats a sequence number or idempotency key that
    /// <paramref name="applied"/> (what already used it) used with other content. Not a resend: two producers number
    /// the account, or a key was reused. Dead-lettered with <paramref name="reason"/> and alerted, nothing booked.
    /// </summary>
    protected void ConflictingDuplicate(TradeEvent e, DeadLetterReason reason, string what, (string TradeId, long SequenceNumber, string IdempotencyKey) applied)
    {
        string account = e.AccountId;
        string message = $"{what} of account {account} was already used by {applied.TradeId} (sequence {applied.SequenceNumber}, idempotency key {applied.IdempotencyKey}) with other content; {e.Kind} {e.TradeId} (sequence {e.SequenceNumber}, idempotency key {e.IdempotencyKey}) is not booked.";
        Log.ConflictingDuplicate(Env.Logger, account, reason, message);
        DeadLetter(e.Source, account, reason, message);
        long now = Context.CurrentSystemTimeMs;
        Alert(account, Alerts.Create($"conflicting-duplicate:{account}:{e.Source.Partition}:{e.Source.Offset}", AlertKind.CONFLICTING_DUPLICATE, AlertSeverity.ERROR, account,
            $"{message} Find which producer sent it (dead letter {e.Source.Partition}:{e.Source.Offset}); re-drive it only if it is a real trade (it gets a new number).",
            new Dictionary<string, string>
            {
                ["reason"] = reason.ToString(),
                ["sequenceNumber"] = e.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["idempotencyKey"] = e.IdempotencyKey,
                ["tradeId"] = e.TradeId,
                ["appliedTradeId"] = applied.TradeId,
                ["appliedSequenceNumber"] = applied.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["appliedIdempotencyKey"] = applied.IdempotencyKey,
                ["sourcePartition"] = e.Source.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["sourceOffset"] = e.Source.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, now), e.Source.Timestamp);
    }

    /// <summary>Rule 9: records the failure where the aborted transaction cannot lose it, then stops the task.</summary>
    protected BrokerageInvariantException Critical(string? accountId, BrokerageInvariantException failure)
    {
        Env.Metrics.CriticalFailure();
        Log.CriticalFailure(Env.Logger, Context.TaskId.ToString(), accountId, failure.Message, failure);
        Env.Health.Raise(new CriticalFailure(Context.TaskId.ToString(), accountId, failure.Message, DateTimeOffset.FromUnixTimeMilliseconds(Context.CurrentSystemTimeMs)));
        return failure;
    }
}

/// <summary>The per-task counters store: exact totals that commit with the records they count.</summary>
internal sealed class CounterStore(IKeyValueStore<string, long> store)
{
    public const string Applied = "applied";
    public const string DuplicatesSkipped = "duplicates-skipped";
    public const string IdempotencySkipped = "idempotency-skipped";
    public const string Held = "held";
    public const string GapsAlerted = "gaps-alerted";
    public const string GapsResolved = "gaps-resolved";
    public const string GapResolutionsRefused = "gap-resolutions-refused";
    public const string GapCommandsRepeated = "gap-commands-repeated";
    public const string SettlementsSettled = "settlements-settled";
    public const string SettlementsFailed = "settlements-failed";
    public const string SettlementCommandsRepeated = "settlement-commands-repeated";
    public const string DeadLetteredPrefix = "dead-lettered:";

    public void Increment(string name, long by = 1) => store.Put(name, (store.TryGet(name, out long current) ? current : 0) + by);
}
