using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Serialization.Tests.Fixtures;

namespace PrimeBroker.Streams.Serialization.Tests;

public sealed class AvroSerdesForAnyOfTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public void RefusesAnEmptyListOfRecordTypes() =>
        Assert.Throws<ArgumentException>(() => AvroSerdes.ForAnyOf(fixture.Client, []));

    [Fact]
    public void RefusesARecordTypeListedTwice()
    {
        var error = Assert.Throws<ArgumentException>(() => AvroSerdes.ForAnyOf(fixture.Client,
            [AvroRecordType.Of<TradeCreated>(), AvroRecordType.Of<TradeCancelled>(), AvroRecordType.Of<TradeCreated>()]));
        Assert.Contains("PrimeBroker.Streams.Contracts.TradeCreated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordTypeIsNamedByItsSchemaFullName() =>
        Assert.Equal("PrimeBroker.Streams.Contracts.TradeAmended", AvroRecordType.Of<TradeAmended>().FullName);
}
