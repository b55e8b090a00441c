using System.Text;
using Confluent.Kafka;

namespace PrimeBroker.Streams.App.Tests;

/// <summary>A console stand-in that completes <see cref="LineWritten"/> when a line starting with a prefix is written.</summary>
internal sealed class SignallingWriter(string prefix) : StringWriter
{
    private readonly TaskCompletionSource<string> _line = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _current = new();

    public Task<string> LineWritten => _line.Task;

    public override void Write(char value)
    {
        base.Write(value);
        lock (_current)
        {
            if (value == '\n')
            {
                var line = _current.ToString().TrimEnd('\r');
                _current.Clear();
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    _line.TrySetResult(line);
                }
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }
}

internal static class Probe
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    internal static Dictionary<string, int> PartitionCounts(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count);
    }

    internal static string TempFile() =>
        Path.Combine(Path.GetTempPath(), $"dev-cluster-{Guid.NewGuid():N}", ".dev-cluster.json");
}

/// <summary>An instrument publisher on a plain cluster with the catalog's topic names.</summary>
internal static class TestInstruments
{
    internal static Generation.InstrumentPublisher Publisher(string bootstrapServers, Confluent.SchemaRegistry.ISchemaRegistryClient registry) =>
        new(new App.Cluster.KafkaClientSettings(bootstrapServers, new Dictionary<string, string>()), registry, new Brokerage.BrokerageOptions());
}

/// <summary>Reading the API's JSON as a client does.</summary>
internal static class ApiJson
{
    /// <summary>A decimal of an API answer: a string with exactly eight decimal places (<c>Http/MoneyJson</c>); fails on
    /// any other form, so every test that reads an amount also checks the format.</summary>
    internal static decimal Money(this System.Text.Json.JsonElement element)
    {
        Assert.True(element.ValueKind == System.Text.Json.JsonValueKind.String, $"a decimal must be a JSON string, was {element.ValueKind}: {element}");
        var text = element.GetString()!;
        Assert.Matches(@"^-?\d+\.\d{8}$", text);
        return decimal.Parse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
            System.Globalization.CultureInfo.InvariantCulture);
    }
}
