namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>
/// Decides what happens to a record whose bytes could not be deserialized. Called on the stream thread. Records it
/// sends through the dead-letter sink join the task's transaction (so a dead letter is written exactly when the
/// skip of its record commits).
/// </summary>
/// <remarks>One handler instance serves every task of the application, so an implementation used with more than one
/// stream thread must be thread-safe. It must not throw: an exception from a handler is not handled per record and
/// stops the stream thread. The record is counted in <c>kafka.streams.dropped_records</c> (reason <c>deserialization</c>)
/// whatever the handler decides.</remarks>
public interface IDeserializationExceptionHandler
{
    /// <summary>Decides about one record whose key or value serde threw.</summary>
    /// <param name="context">The record as consumed.</param>
    /// <param name="exception">What the deserializer threw.</param>
    /// <param name="deadLetter">Writes records in the task's current transaction; valid only during this call.</param>
    /// <returns><see cref="HandlerResponse.Continue"/> to skip the record, <see cref="HandlerResponse.Fail"/> to stop the
    /// task with a <see cref="TaskFailedException"/>.</returns>
    HandlerResponse Handle(ErrorContext context, Exception exception, IDeadLetterSink deadLetter);
}
