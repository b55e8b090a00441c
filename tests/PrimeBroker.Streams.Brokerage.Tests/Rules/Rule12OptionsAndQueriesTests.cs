using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>Rule 12: one options object, validated with every problem at once; store names for queries.</summary>
[Collection(BrokerageCollection.Name)]
public sealed class Rule12OptionsAndQueriesTests(RegistryFixture fixture)
{
    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        var o = new BrokerageOptions();
        o.Validate();
        Assert.Equal("trade-events", o.TradeEventsTopic);
        Assert.Equal("trade-events-dlq", o.DeadLetterTopic);
        Assert.Equal("alerts", o.AlertsTopic);
        Assert.Equal(TimeSpan.FromSeconds(30), o.GapAlertAfter);
        Assert.Equal(TimeSpan.FromDays(7), o.IdempotencyWindow);
        Assert.Equal(5, o.RegistryRetry.MaxAttempts);
        Assert.Equal(2, o.SettlementLagBusinessDays);
        Assert.Equal(TimeSpan.FromMilliseconds(200 + 400 + 800 + 1600), o.RegistryRetry.TotalDelay);
    }

    [Fact]
    public void ValidateReportsEveryProblemAtOnce()
    {
        var o = new BrokerageOptions
        {
            DeadLetterTopic = "",
            GapAlertAfter = TimeSpan.Zero,
            MaxHeldEventsPerAccount = 0,
            IdempotencyWindow = TimeSpan.FromDays(-1),
            RegistryRetry = new RegistryRetryOptions { MaxAttempts = 0 },
            SettlementLagBusinessDays = -1,
        };

        var e = Assert.Throws<OptionsValidationException>(o.Validate);
        Assert.Contains(e.Failures, f => f.Contains("topic"));
        Assert.Contains(e.Failures, f => f.Contains(nameof(BrokerageOptions.GapAlertAfter)));
        Assert.Contains(e.Failures, f => f.Contains(nameof(BrokerageOptions.MaxHeldEventsPerAccount)));
        Assert.Contains(e.Failures, f => f.Contains(nameof(BrokerageOptions.IdempotencyWindow)));
        Assert.Contains(e.Failures, f => f.Contains(nameof(RegistryRetryOptions.MaxAttempts)));
        Assert.Contains(e.Failures, f => f.Contains(nameof(BrokerageOptions.SettlementLagBusinessDays)));
    }

    [Fact]
    public void RetriesThatWouldBlockAPartitionTooLongAreRefused()
    {
        var o = new BrokerageOptions { RegistryRetry = new RegistryRetryOptions { MaxAttempts = 20, BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(30) } };

        Assert.Contains(Assert.Throws<OptionsValidationException>(o.Validate).Failures, f => f.Contains("block a partition"));
    }

    [Fact]
    public void OptionsBindFromTheBrokerageSection()
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Brokerage:GapAlertAfter"] = "00:00:45",
            ["Brokerage:RegistryRetry:MaxAttempts"] = "7",
            ["Brokerage:SettlementHolidays:0"] = "2026-12-25",
            ["Brokerage:DeadLetterTopic"] = "dlq",
        }).Build();

        BrokerageOptions o = config.GetSection(BrokerageOptions.SectionName).Get<BrokerageOptions>()!;
        Assert.Equal(TimeSpan.FromSeconds(45), o.GapAlertAfter);
        Assert.Equal(7, o.RegistryRetry.MaxAttempts);
        Assert.Equal([new DateOnly(2026, 12, 25)], o.SettlementHolidays);
        Assert.Equal("dlq", o.DeadLetterTopic);
    }

    [Fact]
    public void BuildRefusesInvalidOptions()
    {
        Assert.Throws<OptionsValidationException>(() => BrokerageTopology.Build(new BrokerageOptions { MaxHeldEventsPerAccount = -1 }, fixture.Client));

        using var h = new BrokerageHarness(fixture, o => o with { MaxHeldEventsPerAccount = 1 });
        h.Send(Events.Created("ACC-1", 2, "T-2"), Events.Created("ACC-1", 3, "T-3"));
        Assert.Equal(nameof(DeadLetterReason.HeldEventsLimitReached), Assert.Single(h.DeadLetters.ReadValuesToListOf()).errorType);
    }

    /// <summary>The options are immutable records: nothing can change them after they were bound (a built topology keeps
    /// them without a copy), and a variant is made with <c>with</c>.</summary>
    [Theory]
    [InlineData(typeof(BrokerageOptions))]
    [InlineData(typeof(RegistryRetryOptions))]
    public void OptionsAreImmutableRecords(Type type)
    {
        Assert.NotNull(type.GetMethod("<Clone>$")); // a record
        var settable = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } setter
                && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            .Select(p => p.Name);
        Assert.Empty(settable);
    }

    [Fact]
    public void TopicNamesComeFromTheOptions()
    {
        using var h = new BrokerageHarness(fixture, o => o with { TradeEventsTopic = "trades-in", PositionEventsTopic = "positions-out" });
        h.Send(Events.Created("ACC-1", 1, "T-1"));

        Assert.Contains("trades-in", h.Topology.SourceTopics);
        Assert.Single(h.Positions.ReadValuesToListOf());
    }

    [Fact]
    public void EveryTaskStoreIsLoggedSoItIsRestoredAfterAHandover()
    {
        using var h = new BrokerageHarness(fixture);

        Assert.Equal(BrokerageStores.TaskStores.Order(StringComparer.Ordinal), h.Topology.LoggedStoreNames.Order(StringComparer.Ordinal));
    }
}
