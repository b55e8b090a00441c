using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Makes stalls loud: on a timer (a quarter of <see cref="StreamsConfig.StallTimeout"/>, 50 ms to 5 s) it logs each task
/// once when it becomes stalled and once when it recovers, and each stream thread once when it stays inside one call
/// longer than the stall timeout. Reads only what the threads publish, so it works while a thread is stuck.
/// </summary>
internal sealed class StallWatchdog : IAsyncDisposable
{
    private readonly IReadOnlyList<StreamThread> _threads;
    private readonly TimeSpan _stallTimeout;
    private readonly ILogger _logger;
    private readonly HashSet<TaskId> _reportedStalled = new();
    private readonly HashSet<string> _stuckThreads = new();
    private readonly ITimer _timer;

    public StallWatchdog(IReadOnlyList<StreamThread> threads, TimeSpan stallTimeout, TimeProvider time, ILogger logger)
    {
        _threads = threads;
        _stallTimeout = stallTimeout;
        _logger = logger;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(stallTimeout.TotalMilliseconds / 4, 50, 5000));
        _timer = time.CreateTimer(_ => Watch(), null, period, period);
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void Watch()
    {
        try
        {
            lock (_reportedStalled)
            {
                var stalled = _threads.SelectMany(t => t.Health()).Where(h => h.State == TaskHealthState.Stalled).ToList();
                foreach (var task in stalled.Where(t => _reportedStalled.Add(t.TaskId)))
                {
                    _logger.TaskStalled(task.TaskId.ToString(), task.Lag, task.SinceProgress.TotalSeconds, task.Detail);
                }

                foreach (var recovered in _reportedStalled.Where(id => stalled.All(s => s.TaskId != id)).ToList())
                {
                    _reportedStalled.Remove(recovered);
                    _logger.TaskRecovered(recovered.ToString());
                }

                foreach (var thread in _threads)
                {
                    var stuck = thread.Activity.SinceLoop > _stallTimeout && !thread.Stopped;
                    if (stuck && _stuckThreads.Add(thread.Name))
                    {
                        var (what, time) = thread.Activity.Current;
                        _logger.ThreadStuck(thread.Name, what, time.TotalSeconds);
                    }
                    else if (!stuck)
                    {
                        _stuckThreads.Remove(thread.Name);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // A thread's collections changed under the snapshot, or it was disposed while stopping: the next tick retries.
        }
    }
}
