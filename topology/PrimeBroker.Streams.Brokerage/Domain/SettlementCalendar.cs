namespace PrimeBroker.Streams.Brokerage.Domain;

/// <summary>
/// Business days for settlement: Monday to Friday, except the configured holidays. Immutable and thread-safe.
/// </summary>
internal sealed class SettlementCalendar
{
    private readonly HashSet<DateOnly> _holidays;

    public SettlementCalendar(IEnumerable<DateOnly> holidays) => _holidays = [.. holidays];

    public bool IsBusinessDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>
    /// The date <paramref name="businessDays"/> business days after <paramref name="tradeDate"/> (T+N). The trade date
    /// itself need not be a business day: a Saturday trade at T+2 settles on Tuesday. T+0 is the trade date.
    /// </summary>
    public DateOnly SettlementDate(DateOnly tradeDate, int businessDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(businessDays);
        DateOnly date = tradeDate;
        for (int added = 0; added < businessDays;)
        {
            date = date.AddDays(1);
            if (IsBusinessDay(date))
            {
                added++;
            }
        }

        return date;
    }
}
