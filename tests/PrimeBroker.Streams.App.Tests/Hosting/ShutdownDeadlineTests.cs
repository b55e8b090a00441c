using PrimeBroker.Streams.App.Hosting;

namespace PrimeBroker.Streams.App.Tests.Hosting;

/// <summary>The host's shutdown steps stop holding up the shutdown at its deadline (<see cref="ShutdownDeadline"/>,
/// <see cref="DemoStateDirectory"/>): the demo used to wait for a 9 GB directory delete and a 30 s thread join past the
/// host's 8 s shutdown timeout.</summary>
public sealed class ShutdownDeadlineTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pb-shutdown-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task AStepThatEndsBeforeTheDeadlineIsWaitedFor()
    {
        var step = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource();

        var waiting = ShutdownDeadline.WithinAsync(step.Task, deadline.Token);
        Assert.False(waiting.IsCompleted);
        step.SetResult();

        Assert.True(await waiting);
    }

    [Fact]
    public async Task AStepThatIgnoresTheDeadlineIsLeftBehindWhenItFires()
    {
        var neverEnds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var deadline = new CancellationTokenSource();

        var waiting = ShutdownDeadline.WithinAsync(neverEnds.Task, deadline.Token);
        Assert.False(waiting.IsCompleted);
        await deadline.CancelAsync();

        Assert.False(await waiting);
        neverEnds.SetException(new IOException("after the deadline")); // observed, never an unobserved-task exception
    }

    [Fact]
    public async Task AStepThatFailsBeforeTheDeadlineThrows()
    {
        using var deadline = new CancellationTokenSource();

        await Assert.ThrowsAsync<IOException>(() => ShutdownDeadline.WithinAsync(Task.FromException(new IOException("disk")), deadline.Token));
    }

    [Fact]
    public async Task TheStateDirectoryIsDeletedWhenThereIsTime()
    {
        var directory = Path.Combine(_root, "1-state");
        Directory.CreateDirectory(Path.Combine(directory, "0_1", "positions"));
        File.WriteAllText(Path.Combine(directory, "0_1", "positions", "000004.log"), "wal");
        using var deadline = new CancellationTokenSource();

        Assert.True(await DemoStateDirectory.DeleteAsync(directory, deadline.Token));
        Assert.False(Directory.Exists(directory));
        Assert.True(await DemoStateDirectory.DeleteAsync(directory, deadline.Token), "a directory already gone is deleted");
    }

    [Fact]
    public async Task DeletingTheStateDirectoryStopsHoldingUpTheShutdownAtTheDeadline()
    {
        var deleting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        using var deadline = new CancellationTokenSource();

        var waiting = DemoStateDirectory.DeleteAsync(Path.Combine(_root, "slow"), deadline.Token, _ =>
        {
            deleting.SetResult();
            release.Wait(); // a delete that takes longer than the shutdown may
        });
        await deleting.Task;
        await deadline.CancelAsync();

        Assert.False(await waiting);
        release.Set();
    }

    [Fact]
    public void AStartRemovesTheDirectoriesOfDemosThatNoLongerRunAndNothingElse()
    {
        var dead = Directory.CreateDirectory(Path.Combine(_root, "41-0123456789abcdef")).FullName;
        File.WriteAllText(Path.Combine(dead, "000004.log"), "wal");
        var running = Directory.CreateDirectory(Path.Combine(_root, "42-0123456789abcdef")).FullName;
        var own = Directory.CreateDirectory(Path.Combine(_root, $"{Environment.ProcessId}-0123456789ab")).FullName;
        var foreign = Directory.CreateDirectory(Path.Combine(_root, "not-a-demo")).FullName;

        var removed = DemoStateDirectory.RemoveLeftovers(_root, pid => pid == 42);

        Assert.Equal([dead], removed);
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(running));
        Assert.True(Directory.Exists(own));
        Assert.True(Directory.Exists(foreign));
        Assert.Empty(DemoStateDirectory.RemoveLeftovers(Path.Combine(_root, "missing")));
    }

    [Fact]
    public void ANewStateDirectoryIsNamedAfterThisProcess()
    {
        var path = DemoStateDirectory.NewPath(_root);

        Assert.Equal(_root, Path.GetDirectoryName(path));
        Assert.StartsWith($"{Environment.ProcessId}-", Path.GetFileName(path), StringComparison.Ordinal);
        Assert.NotEqual(path, DemoStateDirectory.NewPath(_root));
    }
}
