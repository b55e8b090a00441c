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

    /// <summary>librdkafka settings passed to every Kafka client the program builds (section <c>Kafka:Client</c>, e.g.
    /// <c>Kafka:Client:security.protocol</c>; secrets from the environment, <c>Kafka__Client__sasl.password</c>). Keys a
    /// client sets for its own role are refused (<see cref="OwnedClientKeys"/>).</summary>
    public Dictionary<string, string> Client { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Keys each client sets for its role (group, transactions, offsets) or that have their own setting
    /// (<see cref="BootstrapServers"/>); the engine refuses the same keys in <c>StreamsConfig.ClientConfig</c>.</summary>
    internal static readonly IReadOnlySet<string> OwnedClientKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset", "isolation.level",
        "transactional.id", "enable.idempotence", "partition.assignment.strategy", "group.protocol", "group.remote.assignor",
    };

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DevClusterFile))
        {
            yield return $"{Section}:{nameof(DevClusterFile)} must not be empty.";
        }

        foreach (var key in Client.Keys.Where(OwnedClientKeys.Contains).Order(StringComparer.Ordinal))
        {
            yield return key == "bootstrap.servers"
                ? $"{Section}:{nameof(Client)}:{key} is not allowed: use {Section}:{nameof(BootstrapServers)} (--bootstrap-servers)."
                : $"{Section}:{nameof(Client)}:{key} is not allowed: each client sets it for its own role.";
        }

        foreach (var key in Client.Keys.Where(k => string.IsNullOrWhiteSpace(k) || k.Trim() != k || k.Contains(' ', StringComparison.Ordinal)))
        {
            yield return $"{Section}:{nameof(Client)} has an invalid librdkafka key '{key}'.";
        }
    }
}

/// <summary>The schema registry (section <c>SchemaRegistry</c>; switch <c>--schema-registry-url</c>).</summary>
internal sealed class SchemaRegistryOptions
{
    internal const string Section = "SchemaRegistry";

    /// <summary>Base URL, e.g. <c>http://registry:8081</c>. Empty: as for <see cref="KafkaOptions.BootstrapServers"/>.</summary>
    public string? Url { get; set; }

    /// <summary>HTTP basic authentication, <c>user:password</c> (Confluent Cloud: API key and secret); a secret: pass it
    /// through the environment (<c>SchemaRegistry__BasicAuthUserInfo</c>). Empty: no authentication.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>CA certificate file (PEM) that signed the registry's certificate, when it is not in the system store.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>Client certificate keystore (PKCS#12) for mutual TLS.</summary>
    public string? SslKeystoreLocation { get; set; }

    /// <summary>Password of <see cref="SslKeystoreLocation"/>; a secret (environment <c>SchemaRegistry__SslKeystorePassword</c>).</summary>
    public string? SslKeystorePassword { get; set; }

    /// <summary>Whether the registry's certificate is verified. Default true; false only for a test registry.</summary>
    public bool EnableSslCertificateVerification { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(Url) && !Uri.TryCreate(Url, UriKind.Absolute, out _))
        {
            yield return $"{Section}:{nameof(Url)} must be an absolute URL (was '{Url}').";
        }

        if (!string.IsNullOrEmpty(BasicAuthUserInfo) && !BasicAuthUserInfo.Contains(':', StringComparison.Ordinal))
        {
            // The value is a secret: never repeat it.
            yield return $"{Section}:{nameof(BasicAuthUserInfo)} must be user:password.";
        }

        if (!string.IsNullOrEmpty(SslKeystorePassword) && string.IsNullOrEmpty(SslKeystoreLocation))
        {
            yield return $"{Section}:{nameof(SslKeystorePassword)} is set without {nameof(SslKeystoreLocation)}.";
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
    /// needed to forward queries and writes. A wildcard (<c>0.0.0.0</c>, <c>::</c>, <c>*</c>, <c>+</c>) is refused. Default:
    /// the first of <see cref="HttpOptions.Urls"/> that is not a wildcard, else this machine's host name with that URL's
    /// port (<see cref="ApplicationServerAddress"/>).</summary>
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
    /// (<c>GroupDefaults</c>): 2 s on the embedded cluster, 6 s on a real one.</summary>
    public TimeSpan? SessionTimeout { get; set; }

    /// <summary>Group heartbeat interval; well below <see cref="SessionTimeout"/>. Default per cluster kind: 400 ms
    /// embedded, 1 s real.</summary>
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

    /// <summary>Consumer-group protocol (the engine's <see cref="StreamsConfig.GroupProtocol"/>): <c>Classic</c>, or
    /// <c>Consumer</c> (KIP-848: incremental rebalances assigned by the cluster, whose settings then give the session
    /// timeout and heartbeat; Apache Kafka 4.0 or later). Default per cluster kind (<c>GroupDefaults</c>). Every instance
    /// of the application must use the same value.</summary>
    public GroupProtocol? GroupProtocol { get; set; }

    /// <summary>Standby replicas per task (the engine's <see cref="StreamsConfig.NumStandbyReplicas"/>): other instances
    /// that keep a task's stores warm, so a task that moves to one restores only the recent tail. Default per cluster
    /// kind (<c>GroupDefaults</c>): 1 for both; 0 turns them off.</summary>
    public int? NumStandbyReplicas { get; set; }

    /// <summary>Replication factor of changelog and repartition topics. Default 3.</summary>
    public short ReplicationFactor { get; set; } = 3;

    /// <summary><c>ExactlyOnceV2</c> (default) or <c>AtLeastOnce</c>.</summary>
    public ProcessingGuarantee ProcessingGuarantee { get; set; } = ProcessingGuarantee.ExactlyOnceV2;

    /// <summary>RocksDB's memory of this process (the engine's <see cref="StreamsConfig.RocksDbMemoryBound"/>,
    /// <see cref="StreamsConfig.RocksDbBlockCacheBytes"/> and <see cref="StreamsConfig.RocksDbWriteBufferBytes"/>),
    /// section <c>Streams:RocksDb</c>.</summary>
    public RocksDbMemoryOptions RocksDb { get; set; } = new();

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
        else if (ApplicationServer is not null && HostPort.TryParse(ApplicationServer, out var host, out _) && ApplicationServerAddress.IsWildcard(host))
        {
            yield return $"{Section}:{nameof(ApplicationServer)} '{ApplicationServer}' is a wildcard address: other instances cannot " +
                "connect to it to forward queries and trades. Give the name or address they reach this instance by, e.g. " +
                "--application-server app-1:8080 (a container's or pod's host name), or leave it out to use this machine's host name.";
        }

        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            yield return $"{Section}:{nameof(StateDirectory)} must not be empty.";
        }

        if (NumStandbyReplicas < 0)
        {
            yield return $"{Section}:{nameof(NumStandbyReplicas)} must not be negative (was {NumStandbyReplicas}).";
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

        foreach (var failure in RocksDb.Validate())
        {
            yield return failure;
        }
    }
}

/// <summary>
/// RocksDB's memory per process (section <c>Streams:RocksDb</c>): every store of every task this instance runs shares one
/// block cache and one write-buffer manager, so RocksDB's share of the resident memory stays near
/// <see cref="BlockCacheBytes"/> + <see cref="WriteBufferBytes"/> however many tasks the instance owns
/// (host/README, "Memory").
/// </summary>
internal sealed class RocksDbMemoryOptions
{
    internal const string Section = StreamsOptions.Section + ":RocksDb";

    /// <summary>Whether the shared cache and write-buffer manager bound RocksDB's memory. Off gives every store
    /// RocksDB's own defaults (memory grows with tasks): only to measure what the bound saves. Default true.</summary>
    public bool Bounded { get; set; } = true;

    /// <summary>Bytes of the block cache shared by every store of the process. Default 64 MiB; at least 1 MiB.</summary>
    public long BlockCacheBytes { get; set; } = StreamsConfig.DefaultRocksDbBlockCacheBytes;

    /// <summary>Bytes of memtables over every store of the process (the write-buffer manager). Default 32 MiB; at
    /// least 1 MiB.</summary>
    public long WriteBufferBytes { get; set; } = StreamsConfig.DefaultRocksDbWriteBufferBytes;

    internal IEnumerable<string> Validate()
    {
        if (BlockCacheBytes < 1024 * 1024)
        {
            yield return $"{Section}:{nameof(BlockCacheBytes)} must be at least 1 MiB (1048576; was {BlockCacheBytes}).";
        }

        if (WriteBufferBytes < 1024 * 1024)
        {
            yield return $"{Section}:{nameof(WriteBufferBytes)} must be at least 1 MiB (1048576; was {WriteBufferBytes}).";
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

        foreach (var url in urls.Where(u => !ListenUrl.TryParse(u, out _)))
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

    /// <summary>The listen URLs, parsed (call after validation).</summary>
    internal IReadOnlyList<ListenUrl> ListenUrls() =>
        Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => ListenUrl.TryParse(u, out var parsed) ? parsed : throw new FormatException($"Invalid listen URL '{u}'."))
            .ToList();
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

/// <summary>One listen URL as Kestrel takes it (<c>http://host:port</c>, where host may be a wildcard).</summary>
/// <param name="Scheme"><c>http</c> or <c>https</c>.</param>
/// <param name="Host">Host as written, without IPv6 brackets: a name, an address, or a wildcard.</param>
/// <param name="Port">Port; the scheme's default when none is written; 0 lets Kestrel pick one.</param>
internal sealed record ListenUrl(string Scheme, string Host, int Port)
{
    /// <summary>Parses <paramref name="url"/>; false when it is not <c>scheme://host[:port][/]</c>.</summary>
    internal static bool TryParse(string url, out ListenUrl parsed)
    {
        parsed = null!;
        var match = System.Text.RegularExpressions.Regex.Match(url,
            @"^(?<scheme>https?)://(?:\[(?<v6>[0-9A-Fa-f:.]+)\]|(?<host>[^:/\[\]]+))(?::(?<port>\d{1,5}))?/?$");
        if (!match.Success)
        {
            return false;
        }

        var scheme = match.Groups["scheme"].Value;
        var port = match.Groups["port"].Success ? int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture)
            : scheme == "https" ? 443 : 80;
        if (port > 65535)
        {
            return false; // port 0 is allowed: Kestrel then picks a free port
        }

        parsed = new ListenUrl(scheme, match.Groups["v6"].Success ? match.Groups["v6"].Value : match.Groups["host"].Value, port);
        return true;
    }

    /// <summary><c>host:port</c> as other processes connect to it (IPv6 addresses in brackets).</summary>
    internal string Authority => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>The address this instance announces to the others (<see cref="StreamsOptions.ApplicationServer"/>): they
/// forward queries and writes to it, so it must name this machine, never a wildcard listen address.</summary>
internal static class ApplicationServerAddress
{
    /// <summary>Whether <paramref name="host"/> means "every interface" to a listener (and nothing to a client).</summary>
    internal static bool IsWildcard(string host) =>
        host.Trim('[', ']') is "0.0.0.0" or "::" or "*" or "+" or "0:0:0:0:0:0:0:0";

    /// <summary>The configured address; else the first listen URL that is not a wildcard; else
    /// <paramref name="hostName"/> (this machine's, <see cref="System.Net.Dns.GetHostName"/>) with the first URL's port.</summary>
    internal static string Resolve(StreamsOptions streams, HttpOptions http, Func<string> hostName)
    {
        if (streams.ApplicationServer is { } configured)
        {
            return configured;
        }

        var urls = http.ListenUrls();
        return urls.FirstOrDefault(u => !IsWildcard(u.Host)) is { } routable ? routable.Authority : $"{hostName()}:{urls[0].Port}";
    }
}
