namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Fails the task on every error: the default for processing and production errors.</summary>
public sealed class FailOnErrorHandler : IDeserializationExceptionHandler, IProcessingExceptionHandler, IProductionExceptionHandler
{
    public static FailOnErrorHandler Instance { get; } = new();

    public HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    public HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter) => HandlerResponse.Fail;

    public HandlerResponse Handle(string topic, Exception exception) => HandlerResponse.Fail;
}
