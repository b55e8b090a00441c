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

    /// <summary>Upper bound of each metadata call at recovery, and the longest the read-back may go without progress (no
    /// record and no partition finished for this long); a read-back that keeps progressing is never cut off, however long
    /// the topics are. Default 60 s.</summary>
    public TimeSpan RecoveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The topology's <c>sequences</c> changelog (<see cref="AppliedSequencesTopicOf"/>): each account's next expected
    /// sequence number as the topology applied it, compacted on a real cluster, so it outlives <see cref="Topic"/>'s
    /// retention. When set, recovery continues each account from max(the last number on <see cref="Topic"/>, the next
    /// expected − 1): an account whose trades have all left the topic's retention does not restart at 1. Null: the topic
    /// alone (numbers older than its retention are forgotten, and the account's new trades are skipped as duplicates).
    /// A topic that does not exist yet (the topology never ran) contributes nothing.
    /// </summary>
    public string? AppliedSequencesTopic { get; set; }

    /// <summary>Extra librdkafka settings for the producer and the recovery consumer (for example security).</summary>
    public IDictionary<string, string> ClientConfig { get; set; } = new Dictionary<string, string>();

    /// <summary>The name of the <c>sequences</c> changelog of the topology run under <paramref name="applicationId"/>:
    /// <c>&lt;application.id&gt;-sequences-changelog</c>, the engine's changelog naming.</summary>
    public static string AppliedSequencesTopicOf(string applicationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationId);
        return $"{applicationId}-{BrokerageStores.Sequences}-changelog";
    }

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

        if (AppliedSequencesTopic is not null && (string.IsNullOrWhiteSpace(AppliedSequencesTopic) || AppliedSequencesTopic == Topic))
        {
            errors.Add($"{SectionName}:{nameof(AppliedSequencesTopic)} must be null or another topic than {nameof(Topic)}.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}
