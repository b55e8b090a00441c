using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Testing;
using PrimeBroker.Streams.Engine.Tests.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

public sealed class ChangelogTruncationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedChangelogFailsTheRestoreOfAWipedStore(bool emulateEmbeddedCluster)
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster, partitions: 1);
        app.PipeMany(12, keys: 4, commitEvery: 3);
        app.Driver.DeleteRecords("test-app-counts-changelog", 0, 5);

        var ex = Assert.Throws<ChangelogTruncatedException>(() => app.Driver.SimulateCrash(CrashPoint.WhileProcessing, wipeLocalState: true));

        Assert.Equal("counts", ex.Store);
        Assert.Equal("test-app-counts-changelog", ex.Topic);
        Assert.Equal(0, ex.Partition);
        Assert.Equal(0, ex.NeededOffset);
        Assert.Equal(5, ex.LogStartOffset);
        Assert.Contains("needs offset 0 but the log starts at 5", ex.Message);
    }

    [Fact]
    public void TruncationBeforeTheLocalCheckpointDoesNotMatter()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 1);
        app.PipeMany(12, keys: 4, commitEvery: 3);
        app.Driver.DeleteRecords("test-app-counts-changelog", 0, 5);

        app.Driver.SimulateCrash(CrashPoint.WhileProcessing);

        app.AssertExact();
    }

    [Fact]
    public void TruncatedChangelogOfThePartitionThatNeedsItIsNamed()
    {
        using var app = CountingApp.DslCount(emulateEmbeddedCluster: false, partitions: 4);
        app.PipeMany(40, keys: 8, commitEvery: 10);
        app.Driver.DeleteRecords("test-app-counts-changelog", 2, 1);

        var ex = Assert.Throws<ChangelogTruncatedException>(() => app.Driver.SimulateCrash(CrashPoint.AfterKafkaCommit, wipeLocalState: true));

        Assert.Equal(2, ex.Partition);
        Assert.Equal(1, ex.LogStartOffset);
    }
}
