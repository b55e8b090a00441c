using System.Text;
using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.Errors;
using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Engine.Tests.Errors;

public sealed class ErrorHandlingTests
{
    [Fact]
    public void UndeserializableValueGoesToTheDeadLetterTopicAndProcessingContinues()
    {
        using var driver = CountingDriver(new TopologyTestDriverOptions { DeserializationHandler = new DeadLetterExceptionHandler("dlq") });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.Int64);
        var headers = new Headers { { "trace", "t-1"u8.ToArray() } };

        input.PipeInput("k", 1);
        input.PipeRaw(Encoding.UTF8.GetBytes("k"), [1, 2, 3], headers: headers);
        input.PipeInput("k", 2);

        Assert.Equal(2, driver.GetKeyValueStore<string, long>("counts").Get("k"));
        var dead = driver.CreateOutputTopic("dlq", Serdes.ByteArray, Serdes.ByteArray).ReadRecordsToList();
        var letter = Assert.Single(dead);
        Assert.Equal("k"u8.ToArray(), letter.Key);
        Assert.Equal([1, 2, 3], letter.Value);
        Assert.Equal("t-1", Header(letter.Headers, "trace"));
        Assert.Equal("in", Header(letter.Headers, DeadLetterHeaders.SourceTopic));
        Assert.Equal("0", Header(letter.Headers, DeadLetterHeaders.SourcePartition));
        Assert.Equal("1", Header(letter.Headers, DeadLetterHeaders.SourceOffset));
        Assert.Contains("Exception", Header(letter.Headers, DeadLetterHeaders.ErrorType));
        Assert.False(string.IsNullOrEmpty(Header(letter.Headers, DeadLetterHeaders.ErrorMessage)));
    }

    [Fact]
    public void DeadLetterIsCommittedWithTheSkipAndNotRepeatedAfterACrash()
    {
        using var driver = CountingDriver(new TopologyTestDriverOptions { DeserializationHandler = new DeadLetterExceptionHandler("dlq"), AutoCommit = false });
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.Int64);

        input.PipeRaw(Encoding.UTF8.GetBytes("k"), [9]);
        driver.SimulateCrash(CrashPoint.BeforeKafkaCommit);
        driver.Commit();

        Assert.Single(driver.CreateOutputTopic("dlq", Serdes.ByteArray, Serdes.ByteArray).ReadRecordsToList());
    }

    [Fact]
    public void UndeserializableValueFailsTheTaskWithFailOnErrorHandler()
    {
        using var driver = CountingDriver(new TopologyTestDriverOptions { DeserializationHandler = FailOnErrorHandler.Instance });

        var ex = Assert.Throws<TaskFailedException>(() => driver.CreateInputTopic("in", Serdes.String, Serdes.Int64).PipeRaw("k"u8.ToArray(), [1]));

        Assert.Equal(new PrimeBroker.Streams.Engine.Processing.TaskId(0, 0), ex.TaskId);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void DeadLetterHandlerWithoutTopicFailsTheTask()
    {
        using var driver = CountingDriver(new TopologyTestDriverOptions { DeserializationHandler = new DeadLetterExceptionHandler(null) });

        Assert.Throws<TaskFailedException>(() => driver.CreateInputTopic("in", Serdes.String, Serdes.Int64).PipeRaw("k"u8.ToArray(), [1]));
    }

    [Fact]
    public void ProcessingExceptionSkipsTheRecordWhenTheHandlerContinues()
    {
        var handler = new RecordingHandler(HandlerResponse.Continue);
        using var driver = ThrowingDriver(handler);
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        input.PipeInput("k", "ok-1");
        input.PipeInput("k", "boom");
        input.PipeInput("k", "ok-2");

        Assert.Equal(["ok-1", "ok-2"], driver.CreateOutputTopic("out", Serdes.String, Serdes.String).ReadRecordsToList().Select(r => r.Value));
        var (context, exception) = Assert.Single(handler.Calls);
        Assert.Equal(1, context.Offset);
        Assert.Equal("boom"u8.ToArray(), context.Value);
        Assert.IsType<InvalidOperationException>(exception);
    }

    [Fact]
    public void ProcessingExceptionFailsTheTaskWhenTheHandlerFails()
    {
        using var driver = ThrowingDriver(new RecordingHandler(HandlerResponse.Fail));
        var input = driver.CreateInputTopic("in", Serdes.String, Serdes.String);

        var ex = Assert.Throws<TaskFailedException>(() => input.PipeInput("k", "boom"));

        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("in [[0]] @0", ex.Message);
    }

    [Fact]
    public void ProcessingExceptionFailsTheTaskByDefault()
    {
        using var driver = ThrowingDriver(null);

        Assert.Throws<TaskFailedException>(() => driver.CreateInputTopic("in", Serdes.String, Serdes.String).PipeInput("k", "boom"));
    }

    private static TopologyTestDriver CountingDriver(TopologyTestDriverOptions options)
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed<string, long>.With(Serdes.String, Serdes.Int64)).GroupByKey().Count(Materialized<string, long>.As("counts"));
        return new TopologyTestDriver(builder.Build(), options);
    }

    private static TopologyTestDriver ThrowingDriver(IProcessingExceptionHandler? handler)
    {
        var builder = new StreamsBuilder();
        builder.Stream("in", Consumed<string, string>.With(Serdes.String, Serdes.String))
            .MapValues(v => v == "boom" ? throw new InvalidOperationException("boom") : v)
            .To("out");
        var options = handler is null ? new TopologyTestDriverOptions() : new TopologyTestDriverOptions { ProcessingHandler = handler };
        return new TopologyTestDriver(builder.Build(), options);
    }

    private static string Header(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : "<missing>";

    private sealed class RecordingHandler(HandlerResponse response) : IProcessingExceptionHandler
    {
        public List<(ErrorContext Context, Exception Exception)> Calls { get; } = new();

        public HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter)
        {
            Calls.Add((context, exception));
            return response;
        }
    }
}
