using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// Rule 2: a registry that blinks is retried in place with exponential backoff while the partition waits; only after
/// the last attempt is the record dead-lettered, with its attempt count and a critical alert.
/// </summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule02RegistryRetryTests(RegistryFixture fixture)
{
    [Fact]
    public void RegistryDownThenUpWithinTheRetriesBooksTheTradeAndDeadLettersNothing()
    {
        // The topology has not seen the schema id yet, so decoding the first trade must ask the registry.
        using var h = new BrokerageHarness(fixture, registryBeforeStart: r => r.FailNextLookups = 3);
        h.Send(Events.Created("ACC-1", 1, "T-1"));

        Assert.True(h.DeadLetters.IsEmpty);
        Assert.True(h.Alerts.IsEmpty);
        Assert.Equal(100m, h.Position("ACC-1", "AAPL").Quantity);
        // Three failures, three waits: 200 ms, 400 ms, 800 ms (base 200 ms, doubling), then the fourth attempt succeeds.
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800)], h.Clock.Delays);
    }

    [Fact]
    public void RegistryDownPastTheLastRetryDeadLettersWithTheAttemptCountAndACriticalAlert()
    {
        using var h = new BrokerageHarness(fixture, o => o with { RegistryRetry = o.RegistryRetry with { MaxDelay = TimeSpan.FromMilliseconds(500) } }, registryBeforeStart: r => r.Down = true);
        h.Send(Events.Created("ACC-1", 1, "T-1"));

        FailedTradeEvent dead = Assert.Single(h.DeadLetters.ReadValuesToListOf());
        Assert.Equal(nameof(DeadLetterReason.SchemaRegistryUnavailable), dead.errorType);
        Assert.Equal(5, dead.retryCount);
        Assert.Contains("5 attempts", dead.errorMessage);
        // Four waits between five attempts, capped at MaxDelay.
        Assert.Equal([200, 400, 500, 500], h.Clock.Delays.Select(d => d.TotalMilliseconds));

        BrokerageAlert alert = Assert.Single(h.Alerts.ReadValuesToListOf());
        Assert.Equal(AlertKind.REGISTRY_RETRIES_EXHAUSTED, alert.kind);
        Assert.Equal(AlertSeverity.CRITICAL, alert.severity);
        Assert.Equal("5", alert.details["retryCount"]);
        Assert.Equal("0", alert.details["sourceOffset"]);

        // The registry comes back: the partition goes on (the dead-lettered trade left a gap at sequence 1).
        h.Registry.Down = false;
        h.Send(Events.Created("ACC-1", 2, "T-2"));
        Assert.Equal(1, h.Queries.GapOf("ACC-1")!.ExpectedSequence);
    }

    [Fact]
    public void RetriesFollowTheConfiguredAttemptsAndDelays()
    {
        using var h = new BrokerageHarness(fixture, o => o with
        {
            RegistryRetry = new RegistryRetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) },
        }, registryBeforeStart: r => r.Down = true);
        h.Send(Events.Created("ACC-1", 1, "T-1"));

        Assert.Equal(3, Assert.Single(h.DeadLetters.ReadValuesToListOf()).retryCount);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], h.Clock.Delays);
    }

    [Fact]
    public void AnUnknownSchemaIdIsPermanentAndNeverRetried()
    {
        using var h = new BrokerageHarness(fixture);
        h.SendRaw("ACC-1"u8.ToArray(), [0, 0x7F, 0, 0, 9, 2, 65]);

        Assert.Equal(1, Assert.Single(h.DeadLetters.ReadValuesToListOf()).retryCount);
        Assert.Empty(h.Clock.Delays);
    }

    [Fact]
    public void AnInstrumentThatCannotBeDecodedWhileTheRegistryIsDownIsRetriedThenDeadLetteredWithACriticalAlert()
    {
        using var h = new BrokerageHarness(fixture);
        h.Send(Events.Created("ACC-1", 1, "T-1", instrument: "NOPE")); // decodes the trade schema; no instrument read
        h.Registry.Down = true;
        h.Send(Events.Created("ACC-1", 2, "T-2")); // the trade schema is cached; reading AAPL needs the registry

        var dead = h.DeadLetters.ReadValuesToListOf();
        Assert.Equal([nameof(DeadLetterReason.UnknownInstrument), nameof(DeadLetterReason.SchemaRegistryUnavailable)], dead.Select(d => d.errorType));
        Assert.Equal(5, dead[1].retryCount);
        Assert.Equal(AlertKind.REGISTRY_RETRIES_EXHAUSTED, Assert.Single(h.Alerts.ReadValuesToListOf()).kind);
        Assert.Equal(4, h.Clock.Delays.Count);
    }
}
