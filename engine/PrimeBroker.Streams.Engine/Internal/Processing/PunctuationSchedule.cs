using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>A task's scheduled punctuators and when each is due next.</summary>
internal sealed class PunctuationSchedule
{
    private readonly List<Punctuation> _punctuations = new();

    public bool IsEmpty => _punctuations.Count == 0;

    /// <summary>Schedules <paramref name="action"/> every <paramref name="interval"/> from <paramref name="now"/> (in the
    /// punctuation type's own time).</summary>
    public ICancellable Add(TimeSpan interval, PunctuationType type, Action<long> action, long now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(1));
        var p = new Punctuation(interval, type, action) { NextDue = now + (long)interval.TotalMilliseconds };
        _punctuations.Add(p);
        return p;
    }

    /// <summary>Wall-clock punctuators due at <paramref name="now"/>, each moved to its next due time (now + interval).</summary>
    public List<Action<long>> DueWallClock(long now)
    {
        var due = new List<Action<long>>();
        foreach (var p in _punctuations.Where(p => p.Type == PunctuationType.WallClockTime && !p.Cancelled && now >= p.NextDue))
        {
            p.NextDue = now + (long)p.Interval.TotalMilliseconds;
            due.Add(p.Action);
        }

        return due;
    }

    /// <summary>Stream-time punctuators due at <paramref name="streamTime"/>, each moved to the next multiple of its
    /// interval after it (skipped intervals run once, as in Kafka Streams).</summary>
    public List<Action<long>> DueStreamTime(long streamTime)
    {
        var due = new List<Action<long>>();
        foreach (var p in _punctuations.Where(p => p.Type == PunctuationType.StreamTime && !p.Cancelled && streamTime >= p.NextDue))
        {
            var interval = (long)p.Interval.TotalMilliseconds;
            p.NextDue = streamTime - (streamTime - p.NextDue) % interval + interval;
            due.Add(p.Action);
        }

        return due;
    }

    private sealed class Punctuation(TimeSpan interval, PunctuationType type, Action<long> action) : ICancellable
    {
        public TimeSpan Interval { get; } = interval;

        public PunctuationType Type { get; } = type;

        public Action<long> Action { get; } = action;

        public long NextDue { get; set; }

        public bool Cancelled { get; private set; }

        public void Cancel() => Cancelled = true;
    }
}
