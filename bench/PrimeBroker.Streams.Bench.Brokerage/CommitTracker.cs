using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HdrHistogram;
using PrimeBroker.Streams.Engine;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Bench.Brokerage;

/// <summary>
/// Follows one application through the engine's public metrics: <c>kafka.streams.process</c> (per task, raised on the
/// stream thread after each input record) and <c>kafka.streams.commit_latency</c> (raised on the stream thread after the Kafka
/// commit returned and the local stores were applied). A task processes its partition in offset order from offset 0
/// of a fresh topic, so "processed n records of trade-events partition p" means offsets 0..n-1; the commit that
/// follows on the same thread is the one carrying their outputs (exactly_once_v2: one transaction per thread covers
/// all of its tasks). From that, per partition, the list of (records covered, commit returned) tells when the
/// transaction carrying any record's outputs committed.
/// </summary>
/// <remarks>Thread-safe: callbacks run on the stream threads; readers poll <see cref="Processed"/>.</remarks>
internal sealed class CommitTracker : IDisposable
{
    private const string ProcessedInstrument = EngineMetrics.ProcessInstrument;
    private const string CommitInstrument = EngineMetrics.CommitLatencyInstrument;

    private readonly string _applicationId;
    private readonly int _subTopology;
    private readonly long[] _processed;
    private readonly List<(long Covered, long Ticks)>[] _commits;
    private readonly List<(long Count, long Ticks)>[] _processedAt;
    private readonly List<(long Start, long End)> _commitSpans = new();
    private readonly ConcurrentDictionary<string, int> _partitionOfTask = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, HashSet<int>> _touchedByThread = new();
    private readonly LongHistogram _commitMicros = new(60_000_000, 3);
    private readonly MeterListener _listener = new();
    private long _commitCount;

    /// <param name="applicationId">Only this application's measurements count.</param>
    /// <param name="subTopology">The sub-topology that reads trade-events.</param>
    /// <param name="partitions">Partitions of trade-events.</param>
    public CommitTracker(string applicationId, int subTopology, int partitions)
    {
        _applicationId = applicationId;
        _subTopology = subTopology;
        _processed = new long[partitions];
        _commits = Enumerable.Range(0, partitions).Select(_ => new List<(long, long)>()).ToArray();
        _processedAt = Enumerable.Range(0, partitions).Select(_ => new List<(long, long)>()).ToArray();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName && instrument.Name is ProcessedInstrument or CommitInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnProcessed);
        _listener.SetMeasurementEventCallback<double>(OnCommitted);
        _listener.Start();
    }

    /// <summary>Records of trade-events processed (not yet necessarily committed), all partitions.</summary>
    public long Processed
    {
        get
        {
            long sum = 0;
            for (var p = 0; p < _processed.Length; p++)
            {
                sum += Volatile.Read(ref _processed[p]);
            }

            return sum;
        }
    }

    /// <summary>Records of trade-events covered by returned commits, per partition.</summary>
    public long[] CommittedPerPartition()
    {
        var result = new long[_commits.Length];
        for (var p = 0; p < _commits.Length; p++)
        {
            lock (_commits[p])
            {
                result[p] = _commits[p].Count == 0 ? 0 : _commits[p][^1].Covered;
            }
        }

        return result;
    }

    public long Commits => Interlocked.Read(ref _commitCount);

    /// <summary>Keep when each trade-events record was processed and when each commit started (the latency phase's
    /// breakdown; off elsewhere, where it would only take memory).</summary>
    public bool KeepTimeline { get; set; }

    /// <summary>Stopwatch ticks when <paramref name="offset"/> of <paramref name="partition"/> was processed (the
    /// engine's process metric after the record); null if unknown (<see cref="KeepTimeline"/> off, or not yet).</summary>
    public long? ProcessedAt(int partition, long offset)
    {
        var list = _processedAt[partition];
        lock (list)
        {
            var i = FirstAbove(list, e => e.Count, offset);
            return i < list.Count ? list[i].Ticks : null;
        }
    }

    /// <summary>When the commit covering <paramref name="offset"/> of <paramref name="partition"/> started and
    /// returned (start = return minus the engine's commit duration); null if none did (yet), or no timeline was kept.</summary>
    public (long Start, long End)? CommitSpanAt(int partition, long offset)
    {
        if (CommittedAt(partition, offset) is not { } end)
        {
            return null;
        }

        lock (_commitSpans)
        {
            var i = FirstAbove(_commitSpans, s => s.End, end - 1);
            return i < _commitSpans.Count && _commitSpans[i].End == end ? _commitSpans[i] : null;
        }
    }

    /// <summary>If a commit of the application was running at <paramref name="ticks"/>, the ticks until it returned
    /// (a record that arrives then waits for it: the stream thread does not poll during a commit); else 0.
    /// Exact for one stream thread, whose commits do not overlap.</summary>
    public long RunningCommitLeft(long ticks)
    {
        lock (_commitSpans)
        {
            var i = FirstAbove(_commitSpans, s => s.End, ticks);
            return i < _commitSpans.Count && _commitSpans[i].Start <= ticks ? _commitSpans[i].End - ticks : 0;
        }
    }

    // Index of the first entry whose key exceeds value (keys ascending).
    private static int FirstAbove<T>(List<T> list, Func<T, long> key, long value)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (key(list[mid]) > value)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>Commit duration percentiles in ms (the engine's own measure: changelog writes to local apply).</summary>
    public (double Mean, double P50, double P99) CommitDuration()
    {
        lock (_commitMicros)
        {
            return _commitMicros.TotalCount == 0 ? (0, 0, 0)
                : (_commitMicros.GetMean() / 1000, _commitMicros.GetValueAtPercentile(50) / 1000.0, _commitMicros.GetValueAtPercentile(99) / 1000.0);
        }
    }

    /// <summary>Stopwatch ticks when the commit covering <paramref name="offset"/> of <paramref name="partition"/>
    /// returned; null if none did (yet).</summary>
    public long? CommittedAt(int partition, long offset)
    {
        var list = _commits[partition];
        lock (list)
        {
            // The first commit whose coverage exceeds the offset; coverage only grows.
            int lo = 0, hi = list.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (list[mid].Covered > offset)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo < list.Count ? list[lo].Ticks : null;
        }
    }

    private void OnProcessed(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!IsOurs(tags, out var task) || task is null)
        {
            return;
        }

        var partition = _partitionOfTask.GetOrAdd(task, t =>
        {
            var id = TaskId.Parse(t);
            return id.SubTopology == _subTopology ? id.Partition : -1;
        });
        if (partition < 0)
        {
            return;
        }

        var count = Interlocked.Add(ref _processed[partition], value);
        if (KeepTimeline)
        {
            var list = _processedAt[partition];
            lock (list)
            {
                list.Add((count, Stopwatch.GetTimestamp()));
            }
        }

        _touchedByThread.GetOrAdd(Environment.CurrentManagedThreadId, _ => new HashSet<int>()).Add(partition);
    }

    private void OnCommitted(Instrument instrument, double durationSeconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!IsOurs(tags, out _))
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _commitCount);
        lock (_commitMicros)
        {
            _commitMicros.RecordValue(Math.Max(0, (long)(durationSeconds * 1_000_000)));
        }

        if (KeepTimeline)
        {
            lock (_commitSpans)
            {
                _commitSpans.Add((now - (long)(durationSeconds * Stopwatch.Frequency), now));
            }
        }

        if (!_touchedByThread.TryGetValue(Environment.CurrentManagedThreadId, out var touched))
        {
            return;
        }

        foreach (var partition in touched)
        {
            var list = _commits[partition];
            lock (list)
            {
                list.Add((Volatile.Read(ref _processed[partition]), now));
            }
        }

        touched.Clear();
    }

    private bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags, out string? task)
    {
        task = null;
        var ours = false;
        foreach (var tag in tags)
        {
            if (tag.Key == EngineMetrics.ApplicationAttribute)
            {
                ours = (tag.Value as string) == _applicationId;
            }
            else if (tag.Key == EngineMetrics.TaskAttribute)
            {
                task = tag.Value as string;
            }
        }

        return ours;
    }

    public void Dispose() => _listener.Dispose();
}
