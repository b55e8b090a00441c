using PrimeBroker.Streams.App.Options;



namespace PrimeBroker.Streams.App.Commands;

/// <summary>Switches several commands share.</summary>
internal static class CommonSwitches
{
    internal static readonly CommandSwitch BootstrapServers = new("--bootstrap-servers", $"{KafkaOptions.Section}:{nameof(KafkaOptions.BootstrapServers)}",
        "Kafka bootstrap servers host:port,...; default: the running dev-cluster's connection file");

    internal static readonly CommandSwitch SchemaRegistryUrl = new("--schema-registry-url", $"{SchemaRegistryOptions.Section}:{nameof(SchemaRegistryOptions.Url)}",
        "schema registry URL; default: the running dev-cluster's connection file");

    internal static readonly CommandSwitch DevClusterFile = new("--dev-cluster-file", $"{KafkaOptions.Section}:{nameof(KafkaOptions.DevClusterFile)}",
        "connection file of a running dev-cluster (default .dev-cluster.json in the current directory)");

    internal static readonly CommandSwitch ApplicationServer = new("--application-server", $"{StreamsOptions.Section}:{nameof(StreamsOptions.ApplicationServer)}",
        "host:port other instances use to reach this one's HTTP API (default: the first --urls address)");

    internal static readonly CommandSwitch StateDir = new("--state-dir", $"{StreamsOptions.Section}:{nameof(StreamsOptions.StateDirectory)}",
        "local state directory of this instance");

    internal static readonly CommandSwitch Threads = new("--threads", $"{StreamsOptions.Section}:{nameof(StreamsOptions.Threads)}",
        "stream threads");

    internal static readonly CommandSwitch ApplicationId = new("--application-id", $"{StreamsOptions.Section}:{nameof(StreamsOptions.ApplicationId)}",
        "consumer group / application id shared by all instances (default prime-broker)");

    internal static readonly CommandSwitch Urls = new("--urls", $"{HttpOptions.Section}:{nameof(HttpOptions.Urls)}",
        "HTTP listen URLs separated by ';' (default http://127.0.0.1:8080)");

    internal static IReadOnlyList<CommandSwitch> Connection { get; } = [BootstrapServers, SchemaRegistryUrl, DevClusterFile];

    internal static IReadOnlyList<CommandSwitch> Generator { get; } =
    [
        new("--rate", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Rate)}", "trades per second"),
        new("--duration", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Duration)}", "stop after this long (hh:mm:ss)"),
        new("--count", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Count)}", "stop after this many trades"),
        new("--accounts", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Accounts)}", "number of accounts"),
        new("--instruments", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Instruments)}", "number of instruments"),
        new("--duplicate-ratio", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.DuplicateRatio)}", "share of duplicates (same idempotency key)"),
        new("--resend-ratio", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.ResendRatio)}", "share of resends (same sequence number)"),
        new("--reorder-ratio", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.ReorderRatio)}", "share of trades sent out of order"),
        new("--invalid-ratio", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.InvalidRatio)}", "share of invalid trades"),
        new("--seed", $"{GeneratorOptions.Section}:{nameof(GeneratorOptions.Seed)}", "random seed"),
    ];
}
