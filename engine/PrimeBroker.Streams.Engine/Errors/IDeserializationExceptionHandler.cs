namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>
/// Decides what happens to a record whose bytes could not be deserialized. Called on the stream thread. Records it
/// sends through the dead-letter sink join the task's transaction (so a dead letter is written exactly when the
/// skip of its record commits).
/// </summary>
public interface IDeserializationExceptionHandler
{
    HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter);
}
