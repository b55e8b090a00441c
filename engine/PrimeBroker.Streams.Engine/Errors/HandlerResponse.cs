namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>What a handler decides about a failed record.</summary>
public enum HandlerResponse
{
    /// <summary>Skip the record (after whatever the handler did with it, e.g. dead-lettering) and go on.</summary>
    Continue,

    /// <summary>Stop the task: the application reports the error and becomes unhealthy.</summary>
    Fail,
}
