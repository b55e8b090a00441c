using System.Text.Json;

namespace PrimeBroker.Streams.App.Cluster;

/// <summary>
/// The connection file <c>dev-cluster</c> writes for scripts, e.g.
/// <c>{"bootstrapServers":"127.0.0.1:39343,...","schemaRegistryUrl":null,"embedded":true}</c>.
/// <c>schemaRegistryUrl</c> is null when no registry is configured; <c>topicProvisioningUrl</c> (embedded only) is where
/// other processes ask for topics (<see cref="TopicProvisioningEndpoint"/>).
/// </summary>
internal sealed record DevClusterInfo(string BootstrapServers, string? SchemaRegistryUrl, bool Embedded, string? TopicProvisioningUrl = null)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the file atomically (temporary file, then rename), creating its directory.</summary>
    internal void WriteTo(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, s_json));
        File.Move(temporary, path, overwrite: true);
    }

    internal static DevClusterInfo ReadFrom(string path) =>
        JsonSerializer.Deserialize<DevClusterInfo>(File.ReadAllText(path), s_json)
        ?? throw new InvalidDataException($"'{path}' holds no dev-cluster info.");
}
