using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage;

/// <summary>Where a trade's settlement stands (rule 8): what <c>settlement-events</c> last said about it.</summary>
/// <param name="SettlementId">The settlement's id, <c>{tradeId}:settlement</c>.</param>
/// <param name="TradeId">The trade.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="Status">PENDING, FAILED, SETTLED or CANCELLED.</param>
/// <param name="SettlementDate">The contractual settlement date (re-instructed by an amend after the original date).</param>
/// <param name="Confirmations">Settlement confirmations applied to the trade so far.</param>
public sealed record Settlement(string SettlementId, string TradeId, string AccountId, SettlementStatus Status, DateOnly SettlementDate, int Confirmations);
