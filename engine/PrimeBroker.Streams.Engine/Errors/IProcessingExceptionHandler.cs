namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Decides what happens when a processor throws while processing a record.</summary>
/// <remarks>
/// <para>Called on the stream thread, for exceptions thrown by processors and by the delegates of DSL operators while
/// a record is processed. Not called for exceptions from punctuators (they stop the task) or for
/// <c>Confluent.Kafka.KafkaException</c> (the transaction is aborted and the tasks roll back instead).</para>
/// <para><see cref="HandlerResponse.Continue"/> skips the rest of that record's processing; outputs and store writes it
/// made before the exception stay in the transaction and commit with it.</para>
/// <para>One handler instance serves every task, so it must be thread-safe when more than one stream thread runs. It
/// must not throw: an exception from a handler stops the stream thread.</para>
/// </remarks>
public interface IProcessingExceptionHandler
{
    /// <summary>Decides about one record whose processing threw.</summary>
    /// <param name="context">The input record as consumed from the task's source topic (not the record the failing
    /// processor received).</param>
    /// <param name="processorName">The node name of the innermost processor that threw.</param>
    /// <param name="exception">What the processor threw.</param>
    /// <param name="deadLetter">Writes records in the task's current transaction; valid only during this call.</param>
    /// <returns><see cref="HandlerResponse.Continue"/> to skip the record (counted in <c>kafka.streams.dropped_records</c>,
    /// reason <c>processing</c>), <see cref="HandlerResponse.Fail"/> to stop the task with a
    /// <see cref="TaskFailedException"/>.</returns>
    HandlerResponse Handle(ErrorContext context, string processorName, Exception exception, IDeadLetterSink deadLetter);
}
