namespace PrimeBroker.Streams.Brokerage.Publishing;

/// <summary>Settings of a <see cref="TradePublisher"/>; bindable from configuration (section <see cref="SectionName"/>).</summary>
public sealed class TradePublisherOptions
{
    /// <summary>Configuration section the host binds these options from.</summary>
    public const string SectionName = "TradePublisher";

    /// <summary>Kafka bootstrap servers, <c>host:port,...</c>. Required.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>The topic trades go to. Default <see cref="PrimeBrokerTopics.TradeEvents"/>.</summary>
    public string Topic { get; set; } = PrimeBrokerTopics.TradeEvents;

    /// <summary>How long the producer batches records before sending. Default 5 ms.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a record may wait for acknowledgement before its publish fails. Default 30 s.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of metadata calls and of reading the topic back at recovery. Default 60 s.</summary>
    public TimeSpan RecoveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra librdkafka settings for the producer and the recovery consumer (for example security).</summary>
    public IDictionary<string, string> ClientConfig { get; set; } = new Dictionary<string, string>();

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            errors.Add($"{SectionName}:{nameof(BootstrapServers)} is required.");
        }

        if (string.IsNullOrWhiteSpace(Topic))
        {
            errors.Add($"{SectionName}:{nameof(Topic)} is required.");
        }

        if (Linger < TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(Linger)} must not be negative.");
        }

        if (DeliveryTimeout <= TimeSpan.Zero || RecoveryTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:{nameof(DeliveryTimeout)} and {nameof(RecoveryTimeout)} must be positive.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}
