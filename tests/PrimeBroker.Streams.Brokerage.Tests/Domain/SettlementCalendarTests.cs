using PrimeBroker.Streams.Brokerage.Domain;

namespace PrimeBroker.Streams.Brokerage.Tests.Domain;

public sealed class SettlementCalendarTests
{
    private static readonly SettlementCalendar s_noHolidays = new([]);

    [Theory]
    [InlineData("2026-01-05", 2, "2026-01-07")] // Monday → Wednesday
    [InlineData("2026-01-08", 2, "2026-01-12")] // Thursday → Monday
    [InlineData("2026-01-09", 2, "2026-01-13")] // Friday → Tuesday
    [InlineData("2026-01-10", 2, "2026-01-13")] // Saturday → Tuesday
    [InlineData("2026-01-11", 1, "2026-01-12")] // Sunday → Monday
    [InlineData("2026-01-07", 0, "2026-01-07")] // T+0
    public void BusinessDaysSkipWeekends(string trade, int lag, string settle) =>
        Assert.Equal(DateOnly.Parse(settle), s_noHolidays.SettlementDate(DateOnly.Parse(trade), lag));

    [Fact]
    public void HolidaysAreSkippedLikeWeekends()
    {
        var calendar = new SettlementCalendar([new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28)]);
        Assert.Equal(new DateOnly(2026, 12, 30), calendar.SettlementDate(new DateOnly(2026, 12, 24), 2));
    }
}
