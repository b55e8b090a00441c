namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Decides what happens when an output record cannot be serialized or produced.</summary>
public interface IProductionExceptionHandler
{
    HandlerResponse Handle(string topic, Exception exception);
}
