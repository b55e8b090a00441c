namespace PrimeBroker.Streams.Engine.Topics;

/// <summary>Settings of an <see cref="AdminClientTopicProvisioner"/>. Immutable; validated by the provisioner's
/// constructor.</summary>
public sealed record AdminClientTopicProvisionerOptions
{
    /// <summary>Timeout of each metadata and CreateTopics request. Default 30 s; must be positive.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be positive.");
        }
    }
}
