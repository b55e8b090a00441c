using System.Net;
using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Serialization.Embedded;

/// <summary>Settings of an <see cref="EmbeddedSchemaRegistry"/>. Immutable; validated by <see cref="EmbeddedSchemaRegistry.StartAsync"/>.</summary>
public sealed record EmbeddedSchemaRegistryOptions
{
    /// <summary>Address to listen on. Default <see cref="IPAddress.Loopback"/> (127.0.0.1): the registry has no authentication.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port, 0 to 65535. Default 0: a free port chosen by the operating system; read it from <see cref="EmbeddedSchemaRegistry.Url"/>.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Global compatibility level until changed with <c>PUT /config</c>. Default <see cref="Compatibility.Backward"/>,
    /// as in Confluent Schema Registry. All seven levels are supported, per subject too (<c>PUT /config/{subject}</c>).
    /// </summary>
    public Compatibility DefaultCompatibility { get; init; } = Compatibility.Backward;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(ListenAddress);
        if (Port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 0 and 65535.");
        }

        if (!Internal.CompatibilityLevels.IsDefined(DefaultCompatibility))
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultCompatibility), DefaultCompatibility, "Unknown compatibility level.");
        }
    }
}
