namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// What a stream thread is doing now and since when, written by the thread before every call that can block (consume,
/// flush, transaction calls, restore) and read by the watchdog from any thread. A call that hangs is then named in the
/// warning instead of the thread going silent.
/// </summary>
internal sealed class ThreadActivity
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private string _what = "starting";
    private long _since;
    private long _lastLoop;

    public ThreadActivity(TimeProvider time)
    {
        _time = time;
        _since = _lastLoop = time.TickMilliseconds();
    }

    /// <summary>The thread starts <paramref name="what"/>.</summary>
    public void Set(string what)
    {
        lock (_lock)
        {
            _what = what;
            _since = _time.TickMilliseconds();
        }
    }

    /// <summary>The thread's main loop went round once.</summary>
    public void Loop() => Interlocked.Exchange(ref _lastLoop, _time.TickMilliseconds());

    /// <summary>Time since the main loop last went round.</summary>
    public TimeSpan SinceLoop => TimeSpan.FromMilliseconds(_time.TickMilliseconds() - Interlocked.Read(ref _lastLoop));

    /// <summary>The current activity and how long it has lasted.</summary>
    public (string What, TimeSpan For) Current
    {
        get
        {
            lock (_lock)
            {
                return (_what, TimeSpan.FromMilliseconds(_time.TickMilliseconds() - _since));
            }
        }
    }
}
