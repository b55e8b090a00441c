namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Fails the task on every error: the default for processing and production errors.</summary>
/// <remarks>Stateless and thread-safe; use the shared <see cref="Instance"/>.</remarks>
public sealed class FailOnErrorHandler : IDeserializationExceptionHandler, IProcessingExceptionHandler, IProductionExceptionHandler
{
    /// <summary>The shared instance.</summary>
    public static FailOnErrorHandler Instance { get; } = new();

    /// <summary>Fails the task on a deserialization error: returns <see cref="HandlerResponse.Fail"/>.</summary>
    public HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    /// <summary>Fails the task on a processing error: returns <see cref="HandlerResponse.Fail"/>.</summary>
    public HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    /// <summary>Fails the task when an output record cannot be serialized: returns <see cref="HandlerResponse.Fail"/>.</summary>
    public HandlerResponse Handle(string topic, Exception exception) => HandlerResponse.Fail;
}
