using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Options;

/// <summary>The Kafka cluster (section <c>Kafka</c>; switch <c>--bootstrap-servers</c>; environment
/// <c>Kafka__BootstrapServers</c>).</summary>
internal sealed class KafkaOptions
{
    internal const string Section = "Kafka";

    /// <summary><c>host:port,...</c>. Empty: <c>demo</c> starts its own cluster; other commands read the connection file
    /// a running <c>dev-cluster</c> wrote (<see cref="DevClusterFile"/>).</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The connection file written by <c>dev-cluster</c>, relative to the current directory. Default
    /// <c>.dev-cluster.json</c>, the file <c>dev-cluster</c> writes and <c>scripts/dev-cluster-env.sh</c> reads.</summary>
    public string DevClusterFile { get; set; } = ".dev-cluster.json";

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DevClusterFile))
        {
            yield return $"{Section}:{nameof(DevClusterFile)} must not be empty.";
        }
    }
}

/// <summary>The schema registry (section <c>SchemaRegistry</c>; switch <c>--schema-registry-url</c>).</summary>
internal sealed class SchemaRegistryOptions
{
    internal const string Section = "SchemaRegistry";

    /// <summary>Base URL, e.g. <c>http://registry:8081</c>. Empty: as for <see cref="KafkaOptions.BootstrapServers"/>.</summary>
    public string? Url { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(Url) && !Uri.TryCreate(Url, UriKind.Absolute, out _))
        {
            yield return $"{Section}:{nameof(Url)} must be an absolute URL (was '{Url}').";
        }
    }
}

/// <summary>The streams application of this instance (section <c>Streams</c>).</summary>
internal sealed class StreamsOptions
{
    internal const string Section = "Streams";

    /// <summary>Consumer group and internal-topic prefix shared by every instance. Default <c>prime-broker</c>.</summary>
    public string ApplicationId { get; set; } = "prime-broker";

    /// <summary>This instance's <c>host:port</c> as other instances reach its HTTP API (<c>--application-server</c>);
    /// needed to forward position queries. Default: the first of <see cref="HttpOptions.Urls"/>.</summary>
    public string? ApplicationServer { get; set; }

    /// <summary>Local state root (<c>--state-dir</c>); one per instance. Default <c>&lt;temp&gt;/primebroker-streams</c>.</summary>
    public string StateDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "primebroker-streams");

    /// <summary>Stream threads (<c>--threads</c>). Default 1; 1 to 64.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Commit interval; the floor of trade-to-position latency under exactly-once. Default 100 ms.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Least time between the end of a commit and the start of the next when the input is caught up (the
    /// engine's <see cref="StreamsConfig.MinCommitInterval"/>: commit as soon as the input is caught up, at the latest
    /// every <see cref="CommitInterval"/>). Default 5 ms; equal to <see cref="CommitInterval"/> for a fixed interval.</summary>
    public TimeSpan MinCommitInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Group session timeout: how long a killed instance keeps its partitions. Default per cluster kind
    /// (<c>GroupDefaults</c>): 3 s on the embedded cluster, 6 s on a real one.</summary>
    public TimeSpan? SessionTimeout { get; set; }

    /// <summary>Group heartbeat interval; well below <see cref="SessionTimeout"/>. Default per cluster kind: 1 s
    /// embedded, 2 s real.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Static group membership from the instance's stable id (kept in its state directory): a restart within
    /// the session timeout keeps its partitions without a rebalance, a stop does not leave the group. Default per
    /// cluster kind: on for a real cluster, off for the embedded one (which ignores it).</summary>
    public bool? StaticMembership { get; set; }

    /// <summary>Transaction timeout. Default per cluster kind: 5 s on a real cluster (below the session timeout, so a
    /// dead owner's open transaction is aborted before its partitions move), the engine's 10 s on the embedded one.</summary>
    public TimeSpan? TransactionTimeout { get; set; }

    /// <summary>Incremental (cooperative) rebalancing where every task reads one topic, as the prime broker's do: the
    /// instances that keep their partitions keep processing through a rebalance. Default true. Every instance of the
    /// application must use the same value.</summary>
    public bool CooperativeRebalancing { get; set; } = true;

    /// <summary>Replication factor of changelog and repartition topics. Default 3.</summary>
    public short ReplicationFactor { get; set; } = 3;

    /// <summary><c>ExactlyOnceV2</c> (default) or <c>AtLeastOnce</c>.</summary>
    public ProcessingGuarantee ProcessingGuarantee { get; set; } = ProcessingGuarantee.ExactlyOnceV2;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(ApplicationId))
        {
            yield return $"{Section}:{nameof(ApplicationId)} must not be empty.";
        }

        if (ApplicationServer is not null && !HostPort.TryParse(ApplicationServer, out _, out _))
        {
            yield return $"{Section}:{nameof(ApplicationServer)} must be host:port (was '{ApplicationServer}').";
        }

        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            yield return $"{Section}:{nameof(StateDirectory)} must not be empty.";
        }

        if (Threads is < 1 or > 64)
        {
            yield return $"{Section}:{nameof(Threads)} must be between 1 and 64 (was {Threads}).";
        }

        if (CommitInterval <= TimeSpan.Zero || SessionTimeout <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || TransactionTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(CommitInterval)}, {nameof(SessionTimeout)}, {nameof(HeartbeatInterval)} and {nameof(TransactionTimeout)} must be positive.";
        }
        else if (HeartbeatInterval >= SessionTimeout)
        {
            yield return $"{Section}:{nameof(HeartbeatInterval)} must be below {nameof(SessionTimeout)}.";
        }

        if (MinCommitInterval < TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(MinCommitInterval)} must not be negative.";
        }

        if (ReplicationFactor < 1)
        {
            yield return $"{Section}:{nameof(ReplicationFactor)} must be at least 1.";
        }
    }
}

/// <summary>The HTTP API (section <c>Http</c>).</summary>
internal sealed class HttpOptions
{
    internal const string Section = "Http";

    /// <summary>Listen URLs, separated by ';'. Default <c>http://127.0.0.1:8080</c>: loopback only unless set otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Timeout of a request to another instance (a forwarded query, trade or re-drive; each instance asked for its
    /// gaps). Default 5 s.</summary>
    public TimeSpan ForwardTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The <c>Retry-After</c> of a 503 during a rebalance or restore, in seconds. Default 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public IEnumerable<string> Validate()
    {
        var urls = Urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (urls.Length == 0)
        {
            yield return $"{Section}:{nameof(Urls)} must name at least one URL.";
        }

        foreach (var url in urls.Where(u => !Uri.TryCreate(u.Replace("*", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out _)))
        {
            yield return $"{Section}:{nameof(Urls)} has an invalid URL '{url}'.";
        }

        if (ForwardTimeout <= TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(ForwardTimeout)} must be positive.";
        }

        if (RetryAfterSeconds is < 1 or > 300)
        {
            yield return $"{Section}:{nameof(RetryAfterSeconds)} must be between 1 and 300.";
        }
    }

    /// <summary>The first listen URL's authority (<c>host:port</c>).</summary>
    internal string FirstAuthority() =>
        new Uri(Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]).Authority;
}

/// <summary>Parses <c>host:port</c>.</summary>
internal static class HostPort
{
    internal static bool TryParse(string value, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out port) || port is < 1 or > 65535)
        {
            return false;
        }

        host = value[..colon];
        return true;
    }
}
