using FsCheck;
using FsCheck.Fluent;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

public enum StepKind
{
    Create,
    Amend,
    Cancel,

    /// <summary>A producer retry: an earlier step sent again with the same idempotency key and a fresh sequence number.</summary>
    Retry,

    /// <summary>A new trade under an earlier step's idempotency key: a conflicting duplicate when that key was applied.</summary>
    ReuseKey,
}

public enum Fault
{
    None,
    ZeroQuantity,
    BadCurrency,
    UnknownInstrument,
    CurrencyMismatch,
    ReuseTradeId,
    MissingTradeId,
    OtherAccountsTrade,

    /// <summary>Quantity × price rounds to zero at 8 places (0.00000001 × 0.4).</summary>
    TinyNotional,
}

public enum Perturbation
{
    /// <summary>The event is delivered twice (the copy later).</summary>
    Duplicate,

    /// <summary>The event and the next one arrive in the other order: a gap that fills at once.</summary>
    Swap,

    /// <summary>The event arrives several places later: a longer gap, with events held behind it.</summary>
    Delay,

    /// <summary>Another trade is sent later under the event's sequence number (a second numbering of the account): a
    /// conflicting duplicate, dead-lettered, whether the event was applied or is held.</summary>
    Conflict,
}

/// <summary>One step of an account's script; its sequence number is its position (1-based).</summary>
/// <param name="Fine">Amounts with 8 places (quantity units × 0.01234567, price ticks × 0.00731093), so notionals round.</param>
public sealed record Step(StepKind Kind, int Instrument, bool Buy, int QuantityUnits, int PriceTicks, int Target, Fault Fault, bool Fine = false)
{
    public override string ToString() =>
        $"{(Fine ? "~" : "")}{Kind}{(Kind == StepKind.Create ? $"(I{Instrument},{(Buy ? "B" : "S")},{QuantityUnits},{PriceTicks})" : Kind == StepKind.Amend ? $"(#{Target},{QuantityUnits},{PriceTicks})" : $"(#{Target})")}{(Fault == Fault.None ? "" : "!" + Fault)}";
}

/// <param name="LostAt">Index of a step whose event is never delivered (a permanent gap), or -1.</param>
/// <param name="Resolve">With a lost event: the operator resolves the gap with a <c>ResolveSequenceGap</c> after the
/// account's last delivery (sent twice with the same command id when <paramref name="ResolveTwice"/>).</param>
public sealed record AccountScript(IReadOnlyList<Step> Steps, IReadOnlyList<(Perturbation Kind, int At, int By)> Perturbations,
    int LostAt = -1, bool Resolve = false, bool ResolveTwice = false)
{
    /// <summary>The lost step's index when it has successors (so a gap opens), else -1.</summary>
    public int GapAt => LostAt >= 0 && LostAt < Steps.Count - 1 ? LostAt : -1;

    /// <summary>The steps sequencing passes to the rules, in order.</summary>
    public IEnumerable<int> ProcessedSteps => Enumerable.Range(0, Steps.Count)
        .Where(i => i != LostAt && (LostAt < 0 || i < LostAt || (Resolve && GapAt >= 0)));

    public override string ToString() =>
        $"[{string.Join(" ", Steps)}] ~ [{string.Join(" ", Perturbations.Select(p => $"{p.Kind}@{p.At}+{p.By}"))}]"
        + (LostAt >= 0 ? $" lost #{LostAt + 1}{(Resolve ? ResolveTwice ? " resolved twice" : " resolved" : "")}" : "");
}

/// <summary>
/// A generated stream: several accounts' scripts, how their deliveries interleave, corrupt records mixed in, and where a
/// crash happens (used by the crash property only).
/// </summary>
/// <param name="SpreadTime">Account i's events are dated i × 4 days after the first's, so the stream spans more than the
/// 7-day idempotency window, and the wall clock advances as the stream is delivered.</param>
public sealed record Scenario(IReadOnlyList<AccountScript> Accounts, IReadOnlyList<int> Interleave, IReadOnlyList<int> Garbage,
    int CommitEvery, int CrashAt, int CrashPoint, bool WipeLocalState, bool SpreadTime = false)
{
    public override string ToString() =>
        string.Join("\n", Accounts.Select((a, i) => $"A{i}: {a}")) +
        $"\ninterleave [{string.Join(",", Interleave)}] garbage [{string.Join(",", Garbage)}] commitEvery {CommitEvery} crash {CrashAt}/{CrashPoint}/{(WipeLocalState ? "wipe" : "keep")}{(SpreadTime ? " spread" : "")}";
}

/// <summary>The FsCheck generators of <see cref="Scenario"/>.</summary>
public static class ScenarioArbitrary
{
    private static readonly Gen<Fault> s_fault = Gen.Frequency(
        (24, Gen.Constant(Fault.None)),
        (1, Gen.Constant(Fault.ZeroQuantity)),
        (1, Gen.Constant(Fault.BadCurrency)),
        (1, Gen.Constant(Fault.UnknownInstrument)),
        (1, Gen.Constant(Fault.CurrencyMismatch)),
        (1, Gen.Constant(Fault.ReuseTradeId)),
        (1, Gen.Constant(Fault.MissingTradeId)),
        (1, Gen.Constant(Fault.OtherAccountsTrade)),
        (1, Gen.Constant(Fault.TinyNotional)));

    private static readonly Gen<StepKind> s_kind = Gen.Frequency(
        (10, Gen.Constant(StepKind.Create)),
        (3, Gen.Constant(StepKind.Amend)),
        (2, Gen.Constant(StepKind.Cancel)),
        (3, Gen.Constant(StepKind.Retry)),
        (1, Gen.Constant(StepKind.ReuseKey)));

    private static readonly Gen<Step> s_step =
        from kind in s_kind
        from instrument in Gen.Choose(0, 3)
        from buy in Gen.Elements(true, true, false)
        from quantity in Gen.Choose(1, 400)
        from price in Gen.Choose(1, 30_000)
        from target in Gen.Choose(0, 1_000)
        from fault in s_fault
        from fine in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Step(kind, instrument, buy, quantity, price, target, fault, fine);

    private static readonly Gen<(Perturbation, int, int)> s_perturbation =
        from kind in Gen.Frequency((3, Gen.Constant(Perturbation.Duplicate)), (3, Gen.Constant(Perturbation.Swap)), (3, Gen.Constant(Perturbation.Delay)), (1, Gen.Constant(Perturbation.Conflict)))
        from at in Gen.Choose(0, 1_000)
        from shift in Gen.Choose(1, 6)
        select (kind, at, shift);

    private static readonly Gen<AccountScript> s_account =
        from length in Gen.Choose(2, 14)
        from steps in s_step.ListOf(length)
        from count in Gen.Choose(1, 5)
        from perturbations in s_perturbation.ListOf(count)
        from lost in Gen.Frequency((5, Gen.Constant(-1)), (1, Gen.Choose(0, length - 1)))
        from resolve in Gen.Elements(false, true, true)
        from twice in Gen.Elements(false, true)
        select new AccountScript([.. steps], [.. perturbations], lost, resolve, twice);

    public static Gen<Scenario> Generator { get; } =
        from accountCount in Gen.Choose(2, 4)
        from accounts in s_account.ListOf(accountCount)
        from interleave in Gen.Choose(0, 3).ListOf(80)
        from garbageCount in Gen.Choose(0, 2)
        from garbage in Gen.Choose(0, 1_000).ListOf(garbageCount)
        from commitEvery in Gen.Choose(1, 7)
        from crashAt in Gen.Choose(0, 1_000)
        from crashPoint in Gen.Choose(0, 2)
        from wipe in Gen.Elements(false, true)
        from spread in Gen.Elements(false, true)
        select new Scenario([.. accounts], [.. interleave], [.. garbage], commitEvery, crashAt, crashPoint, wipe, spread);

    public static Arbitrary<Scenario> Scenario() => Generator.ToArbitrary();
}
