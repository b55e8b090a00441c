using System.Globalization;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Processing;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Brokerage.Processing;

/// <summary>
/// Rule 3: per-account sequence numbers, starting at 1. For an event with number s and the account's expected e:
/// <list type="bullet">
/// <item><description>s &lt; e: a resend; skipped and counted when its content (<see cref="EventContent"/>) is what
/// consumed s (or nothing remembers s any more), else a conflicting duplicate: dead-lettered
/// (<see cref="DeadLetterReason.ConflictingSequenceNumber"/>) and alerted;</description></item>
/// <item><description>s = e: passed on, then every held successor that is now next, in order; each is remembered in
/// the sequence log for the idempotency window;</description></item>
/// <item><description>s &gt; e: held in the pending store until the gap fills (a repeat of a held number is a duplicate, or a
/// conflict when its content differs);
/// beyond <see cref="BrokerageOptions.MaxHeldEventsPerAccount"/> it is dead-lettered with an alert instead.</description></item>
/// </list>
/// A wall-clock punctuator alerts once on gaps open longer than <see cref="BrokerageOptions.GapAlertAfter"/> and stops
/// the task (rule 9) when a held event outlives <see cref="BrokerageOptions.HeldEventMaxAge"/>. The operator's
/// <see cref="ResolveSequenceGap"/> skips the missing numbers of the open gap and releases what is held, audited in alerts.
/// </summary>
internal sealed class SequenceProcessor(RuleEnvironment environment) : RuleProcessor(environment)
{
    private IKeyValueStore<string, long> _sequences = null!;
    private IKeyValueStore<string, HeldEvent> _pending = null!;
    private IKeyValueStore<string, GapState> _gaps = null!;
    private IKeyValueStore<string, long> _commands = null!;
    private SequenceLog _log = null!;
    private IKeyValueStore<string, AwaitingRedrive> _awaiting = null!;

    public static string[] StoreNames =>
        [BrokerageStores.Sequences, BrokerageStores.Pending, BrokerageStores.Gaps, BrokerageStores.GapCommands, .. SequenceLog.StoreNames, BrokerageStores.AwaitingRedrive, BrokerageStores.Counters];

    public override void Init(IProcessorContext<string, Flow> context)
    {
        base.Init(context);
        _sequences = context.GetStateStore<string, long>(BrokerageStores.Sequences);
        _pending = context.GetStateStore<string, HeldEvent>(BrokerageStores.Pending);
        _gaps = context.GetStateStore<string, GapState>(BrokerageStores.Gaps);
        _commands = context.GetStateStore<string, long>(BrokerageStores.GapCommands);
        _log = new SequenceLog(
            context.GetStateStore<string, SequenceEntry>(BrokerageStores.SequenceLog),
            context.GetStateStore<string, string>(BrokerageStores.SequenceLogByTime));
        _awaiting = context.GetStateStore<string, AwaitingRedrive>(BrokerageStores.AwaitingRedrive);
        context.Schedule(Env.Options.GapCheckInterval, PunctuationType.WallClockTime, CheckGaps);
    }

    protected override bool Handle(Record<string, Flow> record)
    {
        switch (record.Value)
        {
            case EventFlow { Event: var e }:
                OnEvent(e, record.Timestamp);
                return true;
            case CommandFlow { Command: var command }:
                OnResolveGap(command, record.Timestamp);
                return true;
            default:
                return false;
        }
    }

    private long Expected(string accountId) => _sequences.TryGet(accountId, out long next) ? next : 1;

    private void OnEvent(TradeEvent e, long timestamp)
    {
        string account = e.AccountId;
        long expected = Expected(account);
        long now = Context.CurrentSystemTimeMs;
        if (e.SequenceNumber < expected)
        {
            SequenceEntry? used = _log.Find(account, e.SequenceNumber);
            if (used is not null && used.Digest != EventContent.Digest(e))
            {
                ConflictingDuplicate(e, DeadLetterReason.ConflictingSequenceNumber, $"Sequence number {e.SequenceNumber}", (used.TradeId, e.SequenceNumber, used.IdempotencyKey));
                return;
            }

            if (used is null && e.RedriveOf is not null)
            {
                // The record never took its number (it could not be decoded) and the account went past it, by an
                // operator's gap resolution: skipping it as a resend would drop a trade that was never booked.
                DeadLetter(e.Source, account, DeadLetterReason.RedrivenNumberSkipped,
                    $"{e} is the re-drive of {e.RedriveOf}, dead-lettered undecoded, but account {account} has passed sequence {e.SequenceNumber} without it (expected {expected}; an operator resolved the gap). Nothing is booked: re-drive this dead letter again, it then gets a new number.");
                return;
            }

            SkipDuplicate(e, expected);
            return;
        }

        if (e.SequenceNumber == expected)
        {
            Consume(e, timestamp);
            Advance(account, expected + 1, now, Math.Min(timestamp, now));
            return;
        }

        string pendingKey = StoreKeys.Pending(account, e.SequenceNumber);
        if (_pending.TryGet(pendingKey, out HeldEvent? already))
        {
            if (EventContent.Digest(already!.Event) != EventContent.Digest(e))
            {
                ConflictingDuplicate(e, DeadLetterReason.ConflictingSequenceNumber, $"Held sequence number {e.SequenceNumber}",
                    (already.Event.TradeId, e.SequenceNumber, already.Event.IdempotencyKey));
                return;
            }

            SkipDuplicate(e, expected);
            return;
        }

        GapState? gap = _gaps.Get(account);
        int held = gap?.HeldCount ?? 0;
        if (held >= Env.Options.MaxHeldEventsPerAccount)
        {
            Log.HeldLimitReached(Env.Logger, account, held, e.SequenceNumber);
            DeadLetter(e.Source, account, DeadLetterReason.HeldEventsLimitReached,
                $"Account {account} already holds {held} events behind the gap at {expected} (limit {Env.Options.MaxHeldEventsPerAccount}); sequence {e.SequenceNumber} was not held.");
            Alert(account, Alerts.Create($"held-limit:{account}:{e.SequenceNumber}", AlertKind.HELD_EVENTS_LIMIT_REACHED, AlertSeverity.ERROR, account,
                $"Account {account} holds {held} events behind the gap at sequence {expected}, the limit; sequence {e.SequenceNumber} was dead-lettered. Resolve the gap or resend the missing events, then replay the dead letter.",
                new Dictionary<string, string> { ["expectedSequence"] = Text(expected), ["sequenceNumber"] = Text(e.SequenceNumber), ["heldCount"] = Text(held) }, now), timestamp);
            return;
        }

        var heldEvent = new HeldEvent(e, now);
        _pending.Put(pendingKey, heldEvent);
        Counters.Increment(CounterStore.Held);
        Env.Metrics.Held();
        Log.Held(Env.Logger, account, e.SequenceNumber, expected);
        var next = gap is null
            ? new GapState(expected, e.SequenceNumber, 1, now, now, Alerted: false, heldEvent.HeldAtMs, heldEvent.HeldAtMs)
            : gap with
            {
                FirstHeldSequence = Math.Min(gap.FirstHeldSequence, e.SequenceNumber),
                HeldCount = held + 1,
                OldestHeldSinceMs = Math.Min(gap.OldestHeldSinceMs, now),
                OldestHeldAtMs = Math.Min(gap.ReportedOldestHeldMs, heldEvent.HeldAtMs),
            };
        GapState.Check(next);
        _gaps.Put(account, next);
    }

    /// <summary>The event takes its number: remembered in the sequence log (the account's entries older than the
    /// idempotency window before it expire) and passed on.</summary>
    private void Consume(TradeEvent e, long timestamp)
    {
        _log.Record(e);
        // An event time beyond the allowed skew (dead-lettered by validation) must not expire the account's entries early.
        long time = Math.Min(e.Timestamp, Context.CurrentSystemTimeMs + (long)Env.Options.MaxEventTimeAhead.TotalMilliseconds);
        _log.ExpireBefore(e.AccountId, time - (long)Env.Options.IdempotencyWindow.TotalMilliseconds, Env.Options.MaxIdempotencyExpiriesPerRun);
        Forward(e.AccountId, new EventFlow(e), timestamp);
    }

    private void SkipDuplicate(TradeEvent e, long expected)
    {
        Counters.Increment(CounterStore.DuplicatesSkipped);
        Env.Metrics.DuplicateSkipped();
        Log.DuplicateSkipped(Env.Logger, e.AccountId, e.SequenceNumber, expected);
    }

    /// <summary>Sets the expected number, releases every held event that is now next (in order), and updates the gap;
    /// <paramref name="recordTimeMs"/> is the (capped) Kafka timestamp of the record that advanced it.</summary>
    private int Advance(string account, long expected, long now, long recordTimeMs)
    {
        int released = 0;
        if (_gaps.TryGet(account, out GapState? gap))
        {
            // Bounded: at most the account's held events (MaxHeldEventsPerAccount).
            while (_pending.TryGet(StoreKeys.Pending(account, expected), out HeldEvent? held))
            {
                _pending.Delete(StoreKeys.Pending(account, expected));
                Consume(held!.Event, held.Event.Source.Timestamp);
                expected++;
                released++;
            }

            UpdateGap(account, expected, gap!, now, recordTimeMs);
        }

        _sequences.Put(account, expected);
        return released;
    }

    /// <summary>Recomputes the account's gap from what is still held (a range scan over the account's pending keys).</summary>
    private void UpdateGap(string account, long expected, GapState previous, long now, long recordTimeMs)
    {
        long first = 0;
        int count = 0;
        long oldest = long.MaxValue;
        long oldestAt = long.MaxValue;
        foreach (var (key, held) in _pending.Range(StoreKeys.AccountPrefix(account), StoreKeys.AccountPrefixEnd(account)))
        {
            long sequence = StoreKeys.SequenceOfPending(key);
            if (sequence < expected)
            {
                throw Critical(account, new BrokerageInvariantException($"Account {account} holds sequence {sequence} below the expected {expected}."));
            }

            first = count == 0 ? sequence : first;
            count++;
            oldest = Math.Min(oldest, held.HeldSinceMs);
            oldestAt = Math.Min(oldestAt, held.HeldAtMs);
        }

        if (count == 0)
        {
            _gaps.Delete(account);
            return;
        }

        // The same gap (nothing arrived at its start) keeps its age and alert; a new gap starts now, opened by this record.
        var next = previous.ExpectedSequence == expected
            ? previous with { FirstHeldSequence = first, HeldCount = count, OldestHeldSinceMs = oldest, OldestHeldAtMs = oldestAt }
            : new GapState(expected, first, count, now, oldest, Alerted: false, recordTimeMs, oldestAt);
        GapState.Check(next);
        _gaps.Put(account, next);
    }

    private void OnResolveGap(GapCommand command, long timestamp)
    {
        string account = command.AccountId;
        long now = Context.CurrentSystemTimeMs;
        string commandKey = StoreKeys.Idempotency(account, command.CommandId);
        if (_commands.TryGet(commandKey, out long executedAt))
        {
            // A repeat of an executed command (the operator's tool retried): applying it again could skip a later, real gap.
            Counters.Increment(CounterStore.GapCommandsRepeated);
            Log.GapResolutionRepeated(Env.Logger, account, command.CommandId, executedAt);
            return;
        }

        _commands.Put(commandKey, now);
        GapState? gap = _gaps.Get(account);
        string? refusal = gap is null
            ? $"account {account} has no open gap"
            : command.ExpectedSequence is { } seen && seen != gap.ExpectedSequence
                ? $"the open gap starts at {gap.ExpectedSequence}, not at {seen} as the operator saw it"
                : null;
        if (refusal is not null)
        {
            Counters.Increment(CounterStore.GapResolutionsRefused);
            Log.GapResolutionRefused(Env.Logger, account, command.CommandId, refusal);
            Alert(account, Alerts.Create($"gap-resolution:{command.CommandId}", AlertKind.SEQUENCE_GAP_RESOLUTION_REFUSED, AlertSeverity.WARNING, account,
                $"Gap resolution {command.CommandId} by {command.RequestedBy} refused: {refusal}. Nothing was skipped.",
                Audit(command), now), timestamp);
            return;
        }

        long from = gap!.ExpectedSequence;
        long to = gap.FirstHeldSequence - 1;
        var details = Audit(command);
        details["skippedFrom"] = Text(from);
        details["skippedTo"] = Text(to);
        details["heldCount"] = Text(gap.HeldCount);
        Alert(account, Alerts.Create($"gap-resolution:{command.CommandId}", AlertKind.SEQUENCE_GAP_RESOLVED, AlertSeverity.WARNING, account,
            $"Operator {command.RequestedBy} resolved the gap of account {account}: sequence numbers {from}..{to} are skipped ({command.Reason}); the held events are released.",
            details, now), timestamp);
        int released = Advance(account, gap.FirstHeldSequence, now, Math.Min(timestamp, now));
        Counters.Increment(CounterStore.GapsResolved);
        Env.Metrics.GapResolved();
        Log.GapResolved(Env.Logger, account, command.RequestedBy, from, to, command.Reason, released);
    }

    private void CheckGaps(long now)
    {
        // Bounded by the accounts with an open gap on this task; only gaps are scanned, never the sequences.
        foreach (var (account, gap) in _gaps.All().ToList())
        {
            if (now - gap.OldestHeldSinceMs > (long)Env.Options.HeldEventMaxAge.TotalMilliseconds)
            {
                throw Critical(account, new BrokerageInvariantException(
                    $"Account {account} has held an event since {DateTimeOffset.FromUnixTimeMilliseconds(gap.OldestHeldSinceMs):o}, longer than {Env.Options.HeldEventMaxAge}: the missing sequence numbers {gap.ExpectedSequence}..{gap.FirstHeldSequence - 1} may have left the input's retention."));
            }

            // The timer is this processing's wall clock (a new owner restarts it); what is reported are the record times.
            if (!gap.Alerted && now - gap.OpenSinceMs >= (long)Env.Options.GapAlertAfter.TotalMilliseconds)
            {
                var openSince = DateTimeOffset.FromUnixTimeMilliseconds(gap.ReportedOpenSinceMs);
                var oldestHeld = DateTimeOffset.FromUnixTimeMilliseconds(gap.ReportedOldestHeldMs);
                var heldFor = TimeSpan.FromSeconds(Math.Max(0, (now - gap.ReportedOldestHeldMs) / 1000));
                string awaiting = string.Join(',', AwaitingRedriveOf(account));
                string redrive = awaiting.Length == 0 ? ""
                    : $" Records of this account from {Env.Options.TradeEventsTopic} {awaiting} (partition:offset) could not be decoded (schema registry unavailable) and were dead-lettered; they may carry the missing numbers: re-drive their dead letters (dlq lists them by source partition and offset; dlq --redrive republishes them as is) to fill their places.";
                Log.GapOpen(Env.Logger, account, gap.ExpectedSequence, gap.FirstHeldSequence - 1, openSince, gap.HeldCount);
                Counters.Increment(CounterStore.GapsAlerted);
                Env.Metrics.GapAlerted();
                Alert(account, Alerts.Create($"gap-open:{account}:{gap.ExpectedSequence}", AlertKind.SEQUENCE_GAP_OPEN, AlertSeverity.ERROR, account,
                    $"Account {account} is missing sequence numbers {gap.ExpectedSequence}..{gap.FirstHeldSequence - 1} since {openSince:o}; {gap.HeldCount} events are held, the oldest held for {heldFor:c} (since {oldestHeld:o}).{redrive} Resend the missing events or resolve the gap.",
                    new Dictionary<string, string>
                    {
                        ["missingFrom"] = Text(gap.ExpectedSequence),
                        ["missingTo"] = Text(gap.FirstHeldSequence - 1),
                        ["heldCount"] = Text(gap.HeldCount),
                        ["openSince"] = openSince.ToString("o", CultureInfo.InvariantCulture),
                        ["oldestHeldSince"] = oldestHeld.ToString("o", CultureInfo.InvariantCulture),
                        ["heldForSeconds"] = Text((long)heldFor.TotalSeconds),
                        ["awaitingRedrive"] = awaiting,
                    }, now), now);
                _gaps.Put(account, gap with { Alerted = true });
            }
        }
    }

    /// <summary>The account's records awaiting re-drive (<c>partition:offset</c>), in offset order.</summary>
    private IEnumerable<string> AwaitingRedriveOf(string account) =>
        _awaiting.Range(StoreKeys.AccountPrefix(account), StoreKeys.AccountPrefixEnd(account)).Select(a => a.Value.Id).ToList();

    private static Dictionary<string, string> Audit(GapCommand command) => new()
    {
        ["commandId"] = command.CommandId,
        ["requestedBy"] = command.RequestedBy,
        ["reason"] = command.Reason,
        ["expectedSequence"] = command.ExpectedSequence is { } s ? Text(s) : "",
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
