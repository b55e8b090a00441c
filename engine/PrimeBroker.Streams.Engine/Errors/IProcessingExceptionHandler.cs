namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Decides what happens when a processor throws while processing a record.</summary>
public interface IProcessingExceptionHandler
{
    HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter);
}
