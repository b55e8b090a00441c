namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Decides what happens when an output record cannot be serialized.</summary>
/// <remarks>Called on the stream thread when a sink's key or value serde throws. Delivery failures are not passed
/// here: the producer's error aborts the transaction and the tasks roll back to their last commit. One handler instance
/// serves every task; it must be thread-safe when more than one stream thread runs, and must not throw.</remarks>
public interface IProductionExceptionHandler
{
    /// <summary>Decides about one output record that could not be serialized.</summary>
    /// <param name="topic">The topic the record was for (internal topics with the application-id prefix).</param>
    /// <param name="exception">What the serializer threw.</param>
    /// <returns><see cref="HandlerResponse.Continue"/> to drop the output record and go on,
    /// <see cref="HandlerResponse.Fail"/> to stop the task with a <see cref="TaskFailedException"/>.</returns>
    HandlerResponse Handle(string topic, Exception exception);
}
