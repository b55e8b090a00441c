namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>
/// The default for deserialization errors: the original bytes go to a dead-letter topic with headers
/// <c>dlq.error.type</c>, <c>dlq.error.message</c>, <c>dlq.source.topic</c>, <c>dlq.source.partition</c>,
/// <c>dlq.source.offset</c>, and processing continues. Without a topic it fails the task instead of losing the record.
/// </summary>
/// <remarks>The dead letter keeps the record's key, value and headers, and gets the headers of
/// <see cref="DeadLetterHeaders"/> added. Stateless and thread-safe. Usable for processing errors too.</remarks>
public sealed class DeadLetterExceptionHandler : IDeserializationExceptionHandler, IProcessingExceptionHandler
{
    private readonly string? _topic;

    /// <summary>Creates a handler that dead-letters to <paramref name="topic"/>.</summary>
    /// <param name="topic">The dead-letter topic; null makes every error fail the task.</param>
    public DeadLetterExceptionHandler(string? topic) => _topic = topic;

    /// <inheritdoc/>
    public HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter) =>
        Send(context, exception, deadLetter);

    /// <inheritdoc/>
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
