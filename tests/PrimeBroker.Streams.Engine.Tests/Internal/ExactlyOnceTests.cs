using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Fakes;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>
/// The commit protocol (TaskCommitter) and restore rules (TaskRestorer) through the driver's crash simulation: after
/// any crash and restart every store holds exactly one update per piped record.
/// </summary>
public sealed class ExactlyOnceTests
{
    public static TheoryData<CrashPoint, bool, bool> CrashCases()
    {
        var data = new TheoryData<CrashPoint, bool, bool>();
        foreach (var point in Enum.GetValues<CrashPoint>())
        {
            foreach (var wipe in new[] { false, true })
            {
                foreach (var emulate in new[] { false, true })
                {
                    data.Add(point, wipe, emulate);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CrashCases))]
    public void CountsEachKeyExactlyOnceAfterCrash(CrashPoint point, bool wipeLocalState, bool emulateEmbeddedCluster)
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster);
        app.PipeMany(50, keys: 5, commitEvery: 7);

        app.Driver.SimulateCrash(point, wipeLocalState);

        app.AssertExact();
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    /// <summary>Every crash point, with and without local state: on a real cluster's read_committed.</summary>
    public static TheoryData<CrashPoint, bool> RealClusterCrashCases()
    {
        var data = new TheoryData<CrashPoint, bool>();
        foreach (var point in Enum.GetValues<CrashPoint>())
        {
            data.Add(point, false);
            data.Add(point, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RealClusterCrashCases))]
    public void OutputHoldsEachCountOnceOnReadCommittedAfterCrash(CrashPoint point, bool wipeLocalState)
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false);
        app.PipeMany(30, keys: 3, commitEvery: 4);

        app.Driver.SimulateCrash(point, wipeLocalState);
        app.Driver.Commit();

        // Each key's output is its counts 1..n, each once, in order, and every key has output.
        var output = app.Driver.CreateOutputTopic(CountingApp.OutputTopic, Serdes.String, Serdes.Int64).ReadRecordsToList();
        var actual = output.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Value).ToList());
        Assert.Equal(app.ExpectedCounts.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(app.ExpectedCounts, expected =>
            Assert.Equal(Enumerable.Range(1, (int)expected.Value).Select(i => (long)i), actual[expected.Key]));
    }

    [Theory]
    [MemberData(nameof(RealClusterCrashCases))]
    public void OutputHoldsEveryCountAtLeastOnceOnTheEmbeddedClusterAfterCrash(CrashPoint point, bool wipeLocalState)
    {
        // A reader of the embedded cluster sees aborted output too, so a count may repeat; none may be missing, and
        // none may exceed the exact count (the state, which produces them, is exact).
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: true);
        app.PipeMany(30, keys: 3, commitEvery: 4);

        app.Driver.SimulateCrash(point, wipeLocalState);
        app.Driver.Commit();

        var output = app.Driver.CreateOutputTopic(CountingApp.OutputTopic, Serdes.String, Serdes.Int64).ReadRecordsToList();
        var actual = output.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Value).ToHashSet());
        Assert.Equal(app.ExpectedCounts.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(app.ExpectedCounts, expected =>
            Assert.Equal(Enumerable.Range(1, (int)expected.Value).Select(i => (long)i).ToHashSet(), actual[expected.Key]));
    }

    [Theory]
    [MemberData(nameof(CrashCases))]
    public void KeepsTwoStoresOfOneTaskConsistentAfterCrash(CrashPoint point, bool wipeLocalState, bool emulateEmbeddedCluster)
    {
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster);
        app.PipeMany(40, keys: 4, commitEvery: 6);

        app.Driver.SimulateCrash(point, wipeLocalState);

        app.AssertExact();
        app.PipeMany(9, keys: 3);
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CountsEachKeyExactlyOnceAfterThirtyRandomCrashes(bool emulateEmbeddedCluster)
    {
        var random = new Random(20260101);
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster, partitions: 3);
        var points = Enum.GetValues<CrashPoint>();

        for (var round = 0; round < 30; round++)
        {
            var records = random.Next(1, 12);
            for (var i = 0; i < records; i++)
            {
                app.Pipe($"key-{random.Next(7)}", random.Next(1, 100));
                if (random.Next(4) == 0)
                {
                    app.Driver.Commit();
                }
            }

            app.Driver.SimulateCrash(points[random.Next(points.Length)], wipeLocalState: random.Next(3) == 0);
            app.AssertExact();
        }

        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
    }

    [Fact]
    public void RepairsChangelogRecordsPastTheLastMarkerOnTheEmbeddedCluster()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: true, partitions: 1);
        app.PipeMany(6, keys: 3);
        app.Driver.Commit();

        // An attempt whose changelog records reached the log but whose marker did not (a crash mid-commit). The
        // embedded cluster shows such records to readers.
        var changelog = app.Driver.CreateInputTopic("test-app-counts-changelog", Serdes.String, Serdes.Int64);
        changelog.PipeInput("key-0", 999);
        changelog.PipeInput("key-1", 999);
        changelog.PipeInput("key-never-counted", 999);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);
        app.AssertExact();

        app.Pipe("key-0"); // key-0 is rewritten by processing; key-1 and key-never-counted only by the repair
        app.Driver.Commit();
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        app.AssertExact(); // also proves key-never-counted is absent
    }

    [Fact]
    public void RepairsAfterARestoreThatSkippedATailWithLocalStateWiped()
    {
        using var app = CountingApp.CountAndSum(emulateEmbeddedCluster: true, partitions: 1);
        app.PipeMany(8, keys: 2);
        app.Driver.Commit();
        app.Driver.CreateInputTopic("test-app-sums-changelog", Serdes.String, Serdes.Int64).PipeInput("key-1", -5);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.AssertExact();
        app.Driver.Commit(); // nothing processed: the repair alone must commit
        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        app.AssertExact();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WipedLocalStateIsRestoredFromTheChangelog(bool rocksDb)
    {
        using var dir = new TempDirectory();
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, stateDirectory: rocksDb ? dir.Path : null);
        app.PipeMany(10, keys: 2, commitEvery: 5);
        var restoredBefore = app.Driver.RestoredRecords;

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);

        Assert.True(app.Driver.RestoredRecords > restoredBefore, "a wiped store must be rebuilt from its changelog");
        app.AssertExact();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SurvivingLocalStateRestoresOnlyTheTail(bool rocksDb)
    {
        using var dir = new TempDirectory();
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1, stateDirectory: rocksDb ? dir.Path : null);
        app.PipeMany(10, keys: 2, commitEvery: 5);
        var restoredBefore = app.Driver.RestoredRecords;

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);

        Assert.Equal(restoredBefore, app.Driver.RestoredRecords);
        app.AssertExact();
    }

    [Fact]
    public void CountsExactlyOnceThroughARepartitionTopicAfterCrash() => RepartitionedCountSurvivesCrashes(emulateEmbeddedCluster: false);

    [Fact]
    public void CountsExactlyOnceThroughARepartitionTopicAfterCrashOnTheEmbeddedCluster() => RepartitionedCountSurvivesCrashes(emulateEmbeddedCluster: true);

    private static void RepartitionedCountSurvivesCrashes(bool emulateEmbeddedCluster)
    {
        using var app = RepartitionCount(emulateEmbeddedCluster, out var input);
        var expected = new Dictionary<string, long>();
        for (var i = 0; i < 20; i++)
        {
            var region = $"region-{i % 3}";
            input.PipeInput($"acc-{i}", region);
            expected[region] = expected.GetValueOrDefault(region) + 1;
            if (i % 6 == 5)
            {
                app.Commit();
            }
        }

        app.SimulateCrash(CrashPoint.BeforeKafkaCommit);
        app.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true);
        app.Commit();

        var store = app.GetKeyValueStore<string, long>("region-counts");
        Assert.All(expected, e => Assert.Equal(e.Value, store.Get(e.Key)));
    }

    private static TopologyTestDriver RepartitionCount(bool emulate, out TestInputTopic<string, string> input)
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed<string, string>.With(Serdes.String, Serdes.String))
            .GroupBy((_, v) => v, Grouped<string, string>.With(Serdes.String, Serdes.String))
            .Count(Materialized<string, long>.As("region-counts"));
        var driver = new TopologyTestDriver(builder.Build(), new TopologyTestDriverOptions { AutoCommit = false, DefaultPartitions = 2, EmulateEmbeddedClusterLimits = emulate });
        input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);
        return driver;
    }
}
