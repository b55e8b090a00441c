using System.Runtime.ExceptionServices;

namespace PrimeBroker.Streams.Engine.Internal.Kafka;

/// <summary>
/// One dedicated thread that runs a producer's blocking transaction calls so that the stream thread can wait for each
/// with a bound of its own.
/// </summary>
/// <remarks>
/// Why not <c>Task.Run(call).Wait(bound)</c>: every commit then parks a thread-pool thread inside librdkafka for the
/// whole commit while the stream thread blocks too. On a 2-core machine the pool starts with 2 threads, so a few stream
/// threads, a host's request handling and the commits starve it, and the pool's thread injection (about one thread per
/// 0.5-1 s) surfaced as commit p99 of ~900 ms. Measured with the engine bench's paced phase
/// (<c>dotnet run -c Release --project bench/PrimeBroker.Streams.Bench -- --rounds 1</c>): latency p99 989 ms with pool
/// calls, 140 ms with the pool's minimum forced to 32 threads, which isolates the cause.
/// <para>A call that does not return within its bound leaves this thread blocked inside it; the caller then abandons
/// the thread with its producer (see <see cref="Stuck"/>) and starts a new one for the next producer.</para>
/// Not thread-safe: one caller (the stream thread) at a time.
/// </remarks>
internal sealed class BoundedCallThread : IDisposable
{
    private readonly SemaphoreSlim _work = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Thread _thread;
    private Action? _call;
    private ExceptionDispatchInfo? _error;
    private volatile bool _disposed;

    public BoundedCallThread(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>A call ran past its bound and may still be running: this thread takes no more calls.</summary>
    public bool Stuck { get; private set; }

    /// <summary>Signalled when the call that made this thread <see cref="Stuck"/> returns (never, if it never does).</summary>
    public WaitHandle CallReturned => _done.WaitHandle;

    /// <summary>Runs <paramref name="call"/> on this thread and waits at most <paramref name="bound"/>. Returns false if
    /// the call is still running then (the thread is <see cref="Stuck"/> from then on); rethrows the call's exception.</summary>
    /// <exception cref="InvalidOperationException">The thread is stuck or disposed.</exception>
    public bool TryRun(Action call, TimeSpan bound)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Stuck)
        {
            throw new InvalidOperationException("A previous call is still running on this thread.");
        }

        _error = null;
        _call = call;
        _done.Reset();
        _work.Release();
        if (!_done.Wait(bound))
        {
            Stuck = true;
            return false;
        }

        _error?.Throw();
        return true;
    }

    /// <summary>Ends the thread once its current call, if any, returns.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _work.Release();
    }

    private void Loop()
    {
        while (true)
        {
            _work.Wait();
            if (_disposed)
            {
                return;
            }

            try
            {
                _call!();
            }
            catch (Exception ex)
            {
                _error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                _call = null;
                _done.Set();
            }
        }
    }
}
