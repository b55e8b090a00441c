using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>What a handler decides about a failed record.</summary>
public enum HandlerResponse
{
    /// <summary>Skip the record (after whatever the handler did with it, e.g. dead-lettering) and go on.</summary>
    Continue,

    /// <summary>Stop the task: the application reports the error and becomes unhealthy.</summary>
    Fail,
}

/// <summary>The context of a failed record.</summary>
/// <param name="Topic">Source topic of the record (for production errors: the output topic).</param>
/// <param name="Partition">Source partition, or -1.</param>
/// <param name="Offset">Source offset, or -1.</param>
/// <param name="Key">The raw key bytes as consumed, when known.</param>
/// <param name="Value">The raw value bytes as consumed, when known.</param>
/// <param name="Headers">The record's headers, when known.</param>
public sealed record ErrorContext(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, Headers? Headers);

/// <summary>
/// Decides what happens to a record whose bytes could not be deserialized. Called on the stream thread. Records it
/// sends through the dead-letter sink join the task's transaction (so a dead letter is written exactly when the
/// skip of its record commits).
/// </summary>
public interface IDeserializationExceptionHandler
{
    HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter);
}

/// <summary>Decides what happens when a processor throws while processing a record.</summary>
public interface IProcessingExceptionHandler
{
    HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter);
}

/// <summary>Decides what happens when an output record cannot be serialized or produced.</summary>
public interface IProductionExceptionHandler
{
    HandlerResponse Handle(string topic, Exception exception);
}

/// <summary>Writes a record to a dead-letter topic inside the current transaction.</summary>
public interface IDeadLetterSink
{
    void Send(string topic, byte[]? key, byte[]? value, Headers headers);
}

/// <summary>
/// The default for deserialization errors: the original bytes go to a dead-letter topic with headers
/// <c>dlq.error.type</c>, <c>dlq.error.message</c>, <c>dlq.source.topic</c>, <c>dlq.source.partition</c>,
/// <c>dlq.source.offset</c>, and processing continues. Without a topic it fails the task instead of losing the record.
/// </summary>
public sealed class DeadLetterExceptionHandler : IDeserializationExceptionHandler, IProcessingExceptionHandler
{
    private readonly string? _topic;

    /// <param name="topic">The dead-letter topic; null makes every error fail the task.</param>
    public DeadLetterExceptionHandler(string? topic) => _topic = topic;

    public HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter) =>
        Send(context, exception, deadLetter);

    public HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter) =>
        Send(context, exception, deadLetter);

    private HandlerResponse Send(ErrorContext context, Exception exception, IDeadLetterSink deadLetter)
    {
        if (_topic is null)
        {
            return HandlerResponse.Fail;
        }

        deadLetter.Send(_topic, context.Key, context.Value, DeadLetterHeaders.Create(context, exception));
        return HandlerResponse.Continue;
    }
}

/// <summary>Fails the task on every error: the default for processing and production errors.</summary>
public sealed class FailOnErrorHandler : IDeserializationExceptionHandler, IProcessingExceptionHandler, IProductionExceptionHandler
{
    public static FailOnErrorHandler Instance { get; } = new();

    public HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    public HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    public HandlerResponse Handle(string topic, Exception exception) => HandlerResponse.Fail;
}

/// <summary>The headers a dead letter carries, so an operator can see why and from where without decoding it.</summary>
public static class DeadLetterHeaders
{
    public const string ErrorType = "dlq.error.type";
    public const string ErrorMessage = "dlq.error.message";
    public const string SourceTopic = "dlq.source.topic";
    public const string SourcePartition = "dlq.source.partition";
    public const string SourceOffset = "dlq.source.offset";

    public static Headers Create(ErrorContext context, Exception exception)
    {
        var headers = new Headers();
        if (context.Headers is not null)
        {
            foreach (var h in context.Headers)
            {
                headers.Add(h.Key, h.GetValueBytes());
            }
        }

        headers.Add(ErrorType, System.Text.Encoding.UTF8.GetBytes(exception.GetType().FullName ?? exception.GetType().Name));
        headers.Add(ErrorMessage, System.Text.Encoding.UTF8.GetBytes(exception.Message));
        headers.Add(SourceTopic, System.Text.Encoding.UTF8.GetBytes(context.Topic));
        headers.Add(SourcePartition, System.Text.Encoding.UTF8.GetBytes(context.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        headers.Add(SourceOffset, System.Text.Encoding.UTF8.GetBytes(context.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return headers;
    }
}
