using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 7: a balanced double entry for every applied trade and every reversal, with deterministic ids.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule07LedgerTests(RegistryFixture fixture)
{
    [Fact]
    public void ABuyDebitsSecuritiesAndCreditsCashForQuantityTimesPriceInTheTradesCurrency()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", instrument: "VOD", quantity: 1000m, price: 0.7235m, currency: "GBP"));

        var record = Assert.Single(h.Ledger.ReadRecordsToList());
        Assert.Equal("ACC-1", record.Key);
        LedgerEntryCreated entry = record.Value;
        Assert.Equal("T-1:booked", entry.ledgerEntryId);
        Assert.Equal("ACC-1:SEC:VOD", entry.debitEntry.account);
        Assert.Equal("ACC-1:CASH:GBP", entry.creditEntry.account);
        Assert.Equal(723.5m, Money.FromAvro(entry.debitEntry.amount));
        Assert.Equal(723.5m, Money.FromAvro(entry.creditEntry.amount));
        Assert.Equal("GBP", entry.debitEntry.currency);
        Assert.Equal("GBP", entry.creditEntry.currency);
        Assert.Equal(1, entry.sequenceNumber);
    }

    [Fact]
    public void ASellDebitsCashAndCreditsSecurities()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", side: TradeSide.SELL, quantity: 2m, price: 10m));

        LedgerEntryCreated entry = Assert.Single(h.Ledger.ReadValuesToListOf());
        Assert.Equal("ACC-1:CASH:USD", entry.debitEntry.account);
        Assert.Equal("ACC-1:SEC:AAPL", entry.creditEntry.account);
    }

    [Fact]
    public void ACancelPostsTheReversalWithSwappedLegsAndAnAmendPostsReversalThenBooking()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 10m, price: 5m), Events.Amended("ACC-1", 2, "T-1", 12m, 5m), Events.Cancelled("ACC-1", 3, "T-1"));

        var entries = h.Ledger.ReadValuesToListOf();
        Assert.Equal(["T-1:booked", "T-1:amended-2:reversal", "T-1:amended-2:booked", "T-1:cancelled-3:reversal"], entries.Select(e => e.ledgerEntryId));
        Assert.Equal(["ACC-1:SEC:AAPL", "ACC-1:CASH:USD", "ACC-1:SEC:AAPL", "ACC-1:CASH:USD"], entries.Select(e => e.debitEntry.account));
        Assert.Equal([50m, 50m, 60m, 60m], entries.Select(e => Money.FromAvro(e.debitEntry.amount)));
        // Net cash after create, amend and cancel: nothing.
        decimal cash = entries.Sum(e => (e.debitEntry.account.Contains(":CASH:") ? 1 : -1) * Money.FromAvro(e.debitEntry.amount));
        Assert.Equal(0m, cash);
    }

    [Fact]
    public void AmountsAreRoundedHalfToEvenToEightPlacesOnce()
    {
        using var h = new BrokerageHarness(fixture);
        // 0.00000003 × 0.5 = 0.000000015 → 0.00000002 (half to even); 0.00000005 × 0.5 = 0.000000025 → 0.00000002.
        h.Send(Events.Created("ACC-1", 1, "T-1", quantity: 0.00000003m, price: 0.5m), Events.Created("ACC-1", 2, "T-2", quantity: 0.00000005m, price: 0.5m));

        Assert.Equal([0.00000002m, 0.00000002m], h.Ledger.ReadValuesToListOf().Select(e => Money.FromAvro(e.debitEntry.amount)));
    }

    [Fact]
    public void LedgerEntryIdsAreDeterministicAcrossRuns()
    {
        List<string> Run()
        {
            using var h = new BrokerageHarness(fixture);
            h.Send(Events.Created("ACC-1", 1, "T-1"), Events.Amended("ACC-1", 2, "T-1", 5m, 5m), Events.Cancelled("ACC-1", 3, "T-1"));
            return h.Ledger.ReadValuesToListOf().Select(e => e.ledgerEntryId).ToList();
        }

        Assert.Equal(Run(), Run());
    }
}
