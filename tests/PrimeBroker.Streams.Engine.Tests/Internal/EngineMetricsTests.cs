using System.Diagnostics.Metrics;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The engine's instruments as an exporter sees them: Kafka Streams' names, seconds, OpenTelemetry's messaging
/// attributes, and the state gauges.</summary>
public sealed class EngineMetricsTests
{
    // Other tests' EngineMetrics publish on meters of the same name: this test's measurements carry its own id.
    private readonly string _id = "metrics-test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void ACommitIsCountedAndTimedInSecondsWithTheMessagingAttributes()
    {
        using var metrics = new EngineMetrics(_id);
        using var listener = Listen(metrics, out var doubles, out _);

        metrics.RecordCommit(3, TimeSpan.FromMilliseconds(250));

        var latency = Assert.Single(doubles, m => m.Instrument == EngineMetrics.CommitLatencyInstrument);
        Assert.Equal(0.25, latency.Value, 6);
        Assert.Equal("kafka", latency.Tags["messaging.system"]);
        Assert.Equal(_id, latency.Tags[EngineMetrics.ApplicationAttribute]);
        Assert.Equal("s", latency.Unit);
    }

    [Fact]
    public void AProcessedRecordCarriesItsTaskAsKafkaStreamsTaskId()
    {
        using var metrics = new EngineMetrics(_id);
        using var listener = Listen(metrics, out _, out var longs);

        metrics.RecordProcessed(new KeyValuePair<string, object?>("task", "0_7"));

        var processed = Assert.Single(longs, m => m.Instrument == EngineMetrics.ProcessInstrument);
        Assert.Equal("0_7", processed.Tags[EngineMetrics.TaskAttribute]);
        Assert.Equal(_id, processed.Tags[EngineMetrics.ApplicationAttribute]);
    }

    [Fact]
    public void TheLagGaugeNamesTopicAndPartitionAsMessagingDestination()
    {
        using var metrics = new EngineMetrics(_id);
        metrics.LagSource = () => [new Measurement<long>(42, new("topic", "trade-events"), new("partition", 3))];
        using var listener = Listen(metrics, out _, out var longs);

        listener.RecordObservableInstruments();

        var lag = Assert.Single(longs, m => m.Instrument == EngineMetrics.RecordsLagInstrument);
        Assert.Equal(42, lag.Value);
        Assert.Equal("trade-events", lag.Tags[EngineMetrics.TopicAttribute]);
        Assert.Equal("3", lag.Tags[EngineMetrics.PartitionAttribute]);
        Assert.False(lag.Tags.ContainsKey("topic"));
    }

    [Fact]
    public void TheRestoreRemainingGaugeNamesTaskAndStore()
    {
        using var metrics = new EngineMetrics(_id);
        metrics.RestoreRemainingSource = () => [new Measurement<long>(1234, new("task", "1_4"), new("store", "positions"))];
        using var listener = Listen(metrics, out _, out var longs);

        listener.RecordObservableInstruments();

        var remaining = Assert.Single(longs, m => m.Instrument == EngineMetrics.RestoreRemainingInstrument);
        Assert.Equal("kafka.streams.restore_remaining_records", remaining.Instrument);
        Assert.Equal(1234, remaining.Value);
        Assert.Equal("1_4", remaining.Tags[EngineMetrics.TaskAttribute]);
        Assert.Equal("positions", remaining.Tags[EngineMetrics.StoreAttribute]);
        Assert.Equal("{record}", remaining.Unit);
        Assert.False(remaining.Tags.ContainsKey("store"));
    }

    [Fact]
    public void TheStateGaugesShowTheCurrentStateAsOneAndCountTasksPerState()
    {
        using var metrics = new EngineMetrics(_id);
        metrics.TaskStatesSource = () => [TaskHealthState.Running, TaskHealthState.Running, TaskHealthState.Restoring];
        metrics.StateSource = () => StreamsState.Rebalancing;
        metrics.ThreadStatesSource = () => [(_id + "-StreamThread-0", "rebalancing"), (_id + "-StreamThread-1", "dead")];
        using var listener = Listen(metrics, out _, out var longs);

        listener.RecordObservableInstruments();

        var tasks = longs.Where(m => m.Instrument == "kafka.streams.tasks").ToDictionary(m => (string)m.Tags["kafka.streams.task.state"]!, m => m.Value);
        Assert.Equal(2, tasks["running"]);
        Assert.Equal(1, tasks["restoring"]);
        Assert.Equal(0, tasks["stalled"]);
        var state = longs.Where(m => m.Instrument == "kafka.streams.state").ToDictionary(m => (string)m.Tags["kafka.streams.state"]!, m => m.Value);
        Assert.Equal(1, state["rebalancing"]);
        Assert.Equal(0, state["running"]);
        Assert.Equal(1, state.Values.Sum());
        var threads = longs.Where(m => m.Instrument == "kafka.streams.thread.state" && m.Value == 1)
            .ToDictionary(m => (string)m.Tags["kafka.streams.thread.id"]!, m => (string)m.Tags["kafka.streams.state"]!);
        Assert.Equal("rebalancing", threads[_id + "-StreamThread-0"]);
        Assert.Equal("dead", threads[_id + "-StreamThread-1"]);
    }

    private sealed record Seen<T>(string Instrument, string? Unit, T Value, IReadOnlyDictionary<string, object?> Tags);

    private MeterListener Listen(EngineMetrics metrics, out List<Seen<double>> doubles, out List<Seen<long>> longs)
    {
        var d = new List<Seen<double>>();
        var l = new List<Seen<long>>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EngineMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(d, new(i.Name, i.Unit, v, Tags(t))));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(l, new(i.Name, i.Unit, v, Tags(t))));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Keep(l, new(i.Name, i.Unit, v, Tags(t))));
        listener.Start();
        doubles = d;
        longs = l;
        return listener;
    }

    private void Keep<T>(List<Seen<T>> seen, Seen<T> measurement)
    {
        if (Equals(measurement.Tags.GetValueOrDefault(EngineMetrics.ApplicationAttribute), _id))
        {
            lock (seen)
            {
                seen.Add(measurement);
            }
        }
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
