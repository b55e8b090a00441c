namespace PrimeBroker.Streams.App.Options;

/// <summary>Settings of the <c>dev-cluster</c> command, bound from the <c>DevCluster</c> configuration section and the
/// command's switches.</summary>
internal sealed class DevClusterOptions
{
    internal const string Section = "DevCluster";

    /// <summary>Brokers of the embedded cluster (<c>--brokers</c>). Default 3; 1 to 32. Ignored with
    /// <see cref="BootstrapServers"/>.</summary>
    public int Brokers { get; set; } = 3;

    /// <summary>Where to write the connection file for scripts (<c>--output</c>), relative to the current directory.
    /// Default <c>.dev-cluster.json</c>.</summary>
    public string OutputFile { get; set; } = ".dev-cluster.json";

    /// <summary>An existing cluster (<c>--bootstrap-servers</c>): the command then only provisions the catalog on it
    /// with the Admin API and exits. Null (default) starts the embedded cluster and runs until stopped.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>An existing schema registry (<c>--schema-registry-url</c>), reported instead of starting the embedded
    /// one. Null (default) starts the embedded registry when one is available and no external cluster is given.</summary>
    public string? SchemaRegistryUrl { get; set; }

    /// <summary>Timeout of each Admin API request against an external cluster. Default 30 s.</summary>
    public TimeSpan AdminRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the command starts its own cluster.</summary>
    public bool Embedded => string.IsNullOrWhiteSpace(BootstrapServers);

    /// <summary>The reasons the options are invalid; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Brokers is < 1 or > 32)
        {
            errors.Add($"{Section}:{nameof(Brokers)} must be between 1 and 32 (was {Brokers}).");
        }

        if (string.IsNullOrWhiteSpace(OutputFile))
        {
            errors.Add($"{Section}:{nameof(OutputFile)} must not be empty.");
        }

        if (SchemaRegistryUrl is not null && !Uri.TryCreate(SchemaRegistryUrl, UriKind.Absolute, out _))
        {
            errors.Add($"{Section}:{nameof(SchemaRegistryUrl)} must be an absolute URL (was '{SchemaRegistryUrl}').");
        }

        if (AdminRequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:{nameof(AdminRequestTimeout)} must be positive.");
        }

        return errors;
    }
}
