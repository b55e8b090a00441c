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
