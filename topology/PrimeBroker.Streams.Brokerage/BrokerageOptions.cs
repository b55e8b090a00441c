using Microsoft.Extensions.Options;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// Everything the prime-broker topology is built from: topic names, timeouts, retention windows, limits, the schema
/// registry retry policy and the settlement calendar. Bindable from configuration section <see cref="SectionName"/>;
/// every property has a default, and every limit of the topology is one of these properties.
/// </summary>
/// <remarks>Immutable: configuration binding sets the init-only properties, and a variant is made with <c>with</c>
/// (<c>options with { GapAlertAfter = ... }</c>), so a built topology can never see a later change.</remarks>
public sealed record BrokerageOptions
{
    /// <summary>The configuration section these options bind from: <c>Brokerage</c>.</summary>
    public const string SectionName = "Brokerage";

    /// <summary>Input: trades and operator commands, keyed by account. Default <c>trade-events</c>.</summary>
    public string TradeEventsTopic { get; init; } = PrimeBrokerTopics.TradeEvents;

    /// <summary>Input: instrument reference data and prices, keyed by instrument id. Default <c>instrument-events</c>.</summary>
    public string InstrumentEventsTopic { get; init; } = PrimeBrokerTopics.InstrumentEvents;

    /// <summary>Output: <c>PositionUpdated</c>, keyed by account. Default <c>position-events</c>.</summary>
    public string PositionEventsTopic { get; init; } = PrimeBrokerTopics.PositionEvents;

    /// <summary>Output: <c>LedgerEntryCreated</c>, keyed by account. Default <c>ledger-events</c>.</summary>
    public string LedgerEventsTopic { get; init; } = PrimeBrokerTopics.LedgerEvents;

    /// <summary>Output: <c>SettlementStatusChanged</c>, keyed by account. Default <c>settlement-events</c>.</summary>
    public string SettlementEventsTopic { get; init; } = PrimeBrokerTopics.SettlementEvents;

    /// <summary>Output: <c>FailedTradeEvent</c>, keyed by the original key bytes. Default <c>trade-events-dlq</c>.</summary>
    public string DeadLetterTopic { get; init; } = PrimeBrokerTopics.TradeEventsDlq;

    /// <summary>Output: <c>BrokerageAlert</c>, keyed by account (or alert kind). Default <c>alerts</c>.</summary>
    public string AlertsTopic { get; init; } = PrimeBrokerTopics.Alerts;

    /// <summary>How long a sequence gap may stay open before it raises an alert (wall clock). Default 30 s.</summary>
    public TimeSpan GapAlertAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the wall-clock punctuator looks at open gaps. Default 1 s; at most <see cref="GapAlertAfter"/>.</summary>
    public TimeSpan GapCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most events held behind a gap per account. One more is dead-lettered with
    /// <see cref="DeadLetterReason.HeldEventsLimitReached"/> and an alert (it does not consume its sequence number).
    /// Default 10,000.
    /// </summary>
    public int MaxHeldEventsPerAccount { get; init; } = 10_000;

    /// <summary>
    /// Oldest a held event may get (wall clock since it was held). Older means its missing predecessors may have left the
    /// input topic's retention: the task stops with a critical alert (rule 9). Default 30 days, the retention of
    /// <c>trade-events</c>; keep it at or below that retention.
    /// </summary>
    public TimeSpan HeldEventMaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>An idempotency key applied within this window of event time is never applied again. Default 7 days.</summary>
    public TimeSpan IdempotencyWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Most of an account's idempotency keys one booked event of the account expires (the rest go with its next
    /// events). Default 10,000.</summary>
    public int MaxIdempotencyExpiriesPerRun { get; init; } = 10_000;

    /// <summary>
    /// How long a booked trade is kept after its settlement date (by the wall clock): until then it can be amended or cancelled;
    /// after that the trades store forgets it (an amend or cancel is <see cref="DeadLetterReason.UnknownTrade"/>), so the
    /// store stays bounded. Default 30 days.
    /// </summary>
    public TimeSpan TradeRetentionAfterSettlement { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often the wall-clock punctuator removes trades past their retention. Default 1 hour.</summary>
    public TimeSpan TradeExpiryInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Most trades one expiry run removes per task (the rest wait for the next run). Default 10,000.</summary>
    public int MaxTradeExpiriesPerRun { get; init; } = 10_000;

    /// <summary>How far back an amend or cancel may reach: the live trades a position keeps restatable (default 1,000).
    /// An amend or cancel recomputes the position from them (one range read of at most this many entries); a create
    /// beyond it folds the oldest into the position's base, and restating a folded trade is dead-lettered
    /// <see cref="DeadLetterReason.RestatementBeyondHistory"/>.</summary>
    public int MaxRestatableTradesPerPosition { get; init; } = 1_000;

    /// <summary>How far an event's own time may be ahead of the wall clock (producer clock skew; default 5 minutes).
    /// Beyond it the event is dead-lettered <see cref="DeadLetterReason.EventTimeAhead"/>: event time drives the
    /// idempotency window and the settlement date, and no producer may move them into the future.</summary>
    public TimeSpan MaxEventTimeAhead { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries of schema-registry look-ups while decoding (rule 2).</summary>
    public RegistryRetryOptions RegistryRetry { get; init; } = new();

    /// <summary>Business days from trade date to settlement date (T+N; Saturday and Sunday are never business days). Default 2.</summary>
    public int SettlementLagBusinessDays { get; init; } = 2;

    /// <summary>Holidays on which nothing settles, in addition to weekends. Default none. At most 10,000 dates.</summary>
    public IReadOnlyList<DateOnly> SettlementHolidays { get; init; } = [];

    /// <summary>
    /// Whether the output serializers register their schemas on first use. Default true (development); set false in
    /// production, where CI registers schemas and the serializers only look them up.
    /// </summary>
    public bool AutoRegisterSchemas { get; init; } = true;

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="OptionsValidationException">One or more settings are invalid; <c>Failures</c> lists each.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        string[] topics = [TradeEventsTopic, InstrumentEventsTopic, PositionEventsTopic, LedgerEventsTopic, SettlementEventsTopic, DeadLetterTopic, AlertsTopic];
        foreach (string? topic in topics)
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                failures.Add("Every topic name must be set.");
                break;
            }
        }

        if (topics.Distinct(StringComparer.Ordinal).Count() != topics.Length)
        {
            failures.Add($"Topic names must differ: {string.Join(", ", topics)}.");
        }

        Positive(failures, nameof(GapAlertAfter), GapAlertAfter);
        Positive(failures, nameof(GapCheckInterval), GapCheckInterval);
        if (GapCheckInterval > GapAlertAfter)
        {
            failures.Add($"{nameof(GapCheckInterval)} ({GapCheckInterval}) must not exceed {nameof(GapAlertAfter)} ({GapAlertAfter}).");
        }

        if (MaxHeldEventsPerAccount is < 1 or > 1_000_000)
        {
            failures.Add($"{nameof(MaxHeldEventsPerAccount)} must be in 1..1,000,000; got {MaxHeldEventsPerAccount}.");
        }

        Positive(failures, nameof(HeldEventMaxAge), HeldEventMaxAge);
        if (HeldEventMaxAge <= GapAlertAfter)
        {
            failures.Add($"{nameof(HeldEventMaxAge)} ({HeldEventMaxAge}) must exceed {nameof(GapAlertAfter)} ({GapAlertAfter}).");
        }

        Positive(failures, nameof(IdempotencyWindow), IdempotencyWindow);
        if (MaxIdempotencyExpiriesPerRun is < 1 or > 10_000_000)
        {
            failures.Add($"{nameof(MaxIdempotencyExpiriesPerRun)} must be in 1..10,000,000; got {MaxIdempotencyExpiriesPerRun}.");
        }

        if (TradeRetentionAfterSettlement < TimeSpan.FromDays(1))
        {
            failures.Add($"{nameof(TradeRetentionAfterSettlement)} must be at least 1 day; got {TradeRetentionAfterSettlement}.");
        }

        Positive(failures, nameof(TradeExpiryInterval), TradeExpiryInterval);
        if (MaxRestatableTradesPerPosition is < 1 or > 1_000_000)
        {
            failures.Add($"{nameof(MaxRestatableTradesPerPosition)} must be in 1..1,000,000; got {MaxRestatableTradesPerPosition}.");
        }

        if (MaxEventTimeAhead < TimeSpan.Zero || MaxEventTimeAhead > TimeSpan.FromDays(366))
        {
            failures.Add($"{nameof(MaxEventTimeAhead)} must be in 0..366 days; got {MaxEventTimeAhead}.");
        }

        if (MaxTradeExpiriesPerRun is < 1 or > 10_000_000)
        {
            failures.Add($"{nameof(MaxTradeExpiriesPerRun)} must be in 1..10,000,000; got {MaxTradeExpiriesPerRun}.");
        }

        if (RegistryRetry is null)
        {
            failures.Add($"{nameof(RegistryRetry)} must be set.");
        }
        else
        {
            failures.AddRange(RegistryRetry.Problems());
        }

        if (SettlementLagBusinessDays is < 0 or > 30)
        {
            failures.Add($"{nameof(SettlementLagBusinessDays)} must be in 0..30; got {SettlementLagBusinessDays}.");
        }

        if (SettlementHolidays is null || SettlementHolidays.Count > 10_000)
        {
            failures.Add($"{nameof(SettlementHolidays)} must be set and hold at most 10,000 dates.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(SectionName, typeof(BrokerageOptions), failures);
        }
    }

    private static void Positive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} must be positive; got {value}.");
        }
    }
}

/// <summary>
/// How a schema-registry look-up that failed transiently (unreachable, timeout, 5xx) is retried while the partition
/// waits: attempt <c>n</c> (from 2) waits <c>min(BaseDelay * 2^(n-2), MaxDelay)</c> before it runs. After
/// <see cref="MaxAttempts"/> attempts the record is dead-lettered with its attempt count and a critical alert.
/// </summary>
public sealed record RegistryRetryOptions
{
    /// <summary>Attempts in all, the first included. Default 5; 1..20.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Wait before the first retry; doubles with each further retry. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest single wait. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest the retries of one record may wait in all. The stream thread is blocked meanwhile, so it must stay well
    /// below the consumer's <c>max.poll.interval.ms</c>: at most 2 minutes.
    /// </summary>
    public TimeSpan TotalDelay
    {
        get
        {
            TimeSpan total = TimeSpan.Zero;
            for (int retry = 1; retry < MaxAttempts; retry++)
            {
                total += DelayBeforeRetry(retry);
            }

            return total;
        }
    }

    /// <summary>The wait before retry number <paramref name="retry"/> (1 = the second attempt).</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        double factor = Math.Pow(2, Math.Min(retry - 1, 30));
        double ms = Math.Min(BaseDelay.TotalMilliseconds * factor, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    internal IEnumerable<string> Problems()
    {
        if (MaxAttempts is < 1 or > 20)
        {
            yield return $"{nameof(BrokerageOptions.RegistryRetry)}.{nameof(MaxAttempts)} must be in 1..20; got {MaxAttempts}.";
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            yield return $"{nameof(BrokerageOptions.RegistryRetry)}: need 0 <= {nameof(BaseDelay)} ({BaseDelay}) <= {nameof(MaxDelay)} ({MaxDelay}).";
        }
        else if (MaxAttempts is >= 1 and <= 20 && TotalDelay > TimeSpan.FromMinutes(2))
        {
            yield return $"{nameof(BrokerageOptions.RegistryRetry)}: the retries would block a partition for {TotalDelay} in all; at most 2 minutes.";
        }
    }
}
