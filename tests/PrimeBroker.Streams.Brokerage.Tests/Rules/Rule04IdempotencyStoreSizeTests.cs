using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Testing;
using Xunit.Abstractions;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Measures what rule 4 costs: the bytes the idempotency store and its time index write to their changelogs per applied
/// trade, with realistic ids (10-character account ids, UUID idempotency keys, 12-character trade ids). The README's
/// sizing for 1M trades a day over 7 days is computed from this figure.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule04IdempotencyStoreSizeTests(RegistryFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void EachAppliedTradeAddsAboutTwoHundredSeventyBytesOfIdempotencyState()
    {
        const int trades = 2_000;
        using var h = new BrokerageHarness(fixture, driverOptions: new TopologyTestDriverOptions { AutoCommit = false });
        var sequences = new Dictionary<string, long>();
        for (int i = 0; i < trades; i++)
        {
            string account = $"ACC-{i % 100:D6}";
            long sequence = sequences[account] = sequences.GetValueOrDefault(account) + 1;
            var key = new Guid(i, 0x1234, 0x5678, [1, 2, 3, 4, 5, 6, 7, 8]).ToString();
            h.Send(Events.Created(account, sequence, $"T-{i:D10}", idempotencyKey: key, time: Events.Monday.AddSeconds(i)));
            if (i % 100 == 99)
            {
                h.Driver.Commit();
            }
        }

        h.Driver.Commit();
        Assert.Equal(trades, h.Queries.Counters.Applied);

        (long entryBytes, int entryRecords) = DataBytes(h, BrokerageStores.Idempotency);
        (long indexBytes, int indexRecords) = DataBytes(h, BrokerageStores.IdempotencyByTime);
        double perTrade = (double)(entryBytes + indexBytes) / trades;
        output.WriteLine($"{trades} trades: idempotency {entryRecords} records {entryBytes} B, index {indexRecords} records {indexBytes} B; {perTrade:F1} B of key+value per trade");

        foreach (string store in BrokerageStores.TaskStores)
        {
            (long bytes, int records) = DataBytes(h, store);
            output.WriteLine($"  changelog of {store}: {records} records, {bytes} B of key+value ({(double)bytes / trades:F1} B per trade)");
        }

        Assert.Equal(trades, entryRecords);
        Assert.Equal(trades, indexRecords);
        Assert.InRange(perTrade, 255, 290); // 272.3 B measured: the key, event time, trade, sequence and content digest
    }

    /// <summary>Key and value bytes of the store's changelog records, commit markers excluded.</summary>
    private static (long Bytes, int Records) DataBytes(BrokerageHarness h, string store)
    {
        var changelog = h.Driver.CreateOutputTopic($"test-app-{store}-changelog", Serdes.ByteArray, Serdes.ByteArray);
        var records = changelog.ReadRecordsToList().Where(r => r.Headers is null || !r.Headers.TryGetLastBytes("pbs.commit", out _)).ToList();
        return (records.Sum(r => (long)r.Key.Length + (r.Value?.Length ?? 0)), records.Count);
    }
}
