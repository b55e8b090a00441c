using PrimeBroker.Streams.Brokerage.Domain;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// What flows between the rule processors (keyed by account id). Each processor handles the kinds that concern its
/// rule and forwards every other kind unchanged; the sinks at the end route by kind. Never serialized: the chain has
/// no repartition topic.
/// </summary>
internal abstract record Flow;

/// <summary>A decoded trade event on its way through sequencing, idempotency and validation.</summary>
internal sealed record EventFlow(TradeEvent Event) : Flow;

/// <summary>An operator command for the sequencing processor.</summary>
internal sealed record CommandFlow(GapCommand Command) : Flow;

/// <summary>A settlement outcome for the settlement processor; passes every rule before it unchanged (it carries no
/// sequence number and books nothing).</summary>
internal sealed record SettlementCommandFlow(SettlementCommand Command) : Flow;

/// <summary>A valid event whose position change is written: what booking needs, with the change of the position's
/// reported realized P&amp;L that the ledger posts to the P&amp;L account.</summary>
internal sealed record PositionedFlow(TradeEvent Event, decimal RealizedPnlChange) : Flow;

/// <summary>A valid event, booked: the trade as it now stands, the effects to post, and the realized P&amp;L change
/// with the id of its ledger entry.</summary>
internal sealed record BookedFlow(TradeEvent Event, TradeState Trade, IReadOnlyList<TradeEffect> Effects, decimal RealizedPnlChange, string RealizedPnlEntryId) : Flow;

/// <summary>A position's new state for <c>position-events</c>.</summary>
internal sealed record PositionFlow(PositionUpdated Update) : Flow;

/// <summary>A dead letter, keyed by the original key bytes.</summary>
internal sealed record DeadLetterFlow(byte[]? OriginalKey, FailedTradeEvent Record, DeadLetterReason Reason) : Flow;

internal sealed record AlertFlow(BrokerageAlert Alert) : Flow;

internal sealed record LedgerFlow(LedgerEntryCreated Entry) : Flow;

internal sealed record SettlementFlow(SettlementStatusChanged Status) : Flow;

