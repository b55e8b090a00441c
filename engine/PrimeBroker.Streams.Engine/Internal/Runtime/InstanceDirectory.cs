using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using PrimeBroker.Streams.Engine.Internal.Kafka;

namespace PrimeBroker.Streams.Engine.Internal.Runtime;

/// <summary>
/// Which instance (application server) owns which input partitions, shared through the compacted one-partition topic
/// <c>&lt;application.id&gt;-instances</c>. Every stream thread announces its assignment after each rebalance (an empty
/// one when it loses its partitions); every instance follows the topic. A partition belongs to the latest announcement
/// that claims it, so a killed instance's stale claim is superseded as soon as the new owner announces.
/// </summary>
/// <remarks>
/// Kafka Streams carries this in the group protocol's subscription user data; librdkafka's assignors do not expose it,
/// so a topic does the job. Only used when <see cref="StreamsConfig.ApplicationServer"/> is set.
/// Record: key = member id (UTF-8), value = <c>host:port</c>, a newline, then <c>topic:partition</c> entries separated by
/// commas.
/// </remarks>
internal sealed class InstanceDirectory : IInstanceDirectory, IDisposable
{
    private readonly string _topic;
    private readonly string _server;
    private readonly IProducer<string, string> _producer;
    private readonly IConsumer<string, string> _consumer;
    private readonly ConcurrentDictionary<string, Claim> _claims = new();
    private readonly ConcurrentDictionary<string, string> _latest = new();
    private readonly ConcurrentDictionary<string, string> _retry = new();
    private long _nextRetry;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private volatile bool _stop;

    public InstanceDirectory(StreamsConfig config, KafkaClients clients, ILoggerFactory loggerFactory)
    {
        _topic = TopicName(config.ApplicationId);
        _server = config.ApplicationServer ?? throw new ArgumentException("An instance directory needs an application server.", nameof(config));
        _logger = loggerFactory.CreateLogger<InstanceDirectory>();
        _producer = clients.DirectoryProducer();
        _consumer = clients.DirectoryConsumer();
        _consumer.Assign(new TopicPartitionOffset(_topic, 0, Offset.Beginning));
        _thread = new Thread(Follow) { IsBackground = true, Name = config.ApplicationId + "-InstanceDirectory" };
        _thread.Start();
    }

    public static string TopicName(string applicationId) => $"{applicationId}-instances";

    public string Server => _server;

    /// <summary>Announces what <paramref name="member"/> (a stream thread of this instance) owns now. Not
    /// fire-and-forget: a failed delivery is sent again (the member's latest announcement only) by the follower
    /// thread until it is delivered or a newer one replaces it, so a claim is never lost silently.</summary>
    public void Announce(string member, IEnumerable<TopicPartition> partitions)
    {
        var value = _server + "\n" + string.Join(",", partitions.Select(p => $"{p.Topic}:{p.Partition.Value}"));
        _latest[member] = value;
        Send(member, value);
    }

    private void Send(string member, string value)
    {
        try
        {
            _producer.Produce(_topic, new Message<string, string> { Key = member, Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    _logger.AnnouncementRetry(_topic, member, report.Error.ToString());
                    _retry[member] = value;
                }
                else
                {
                    _retry.TryRemove(new KeyValuePair<string, string>(member, value));
                }
            });
        }
        catch (KafkaException ex)
        {
            // A full local queue or a closing producer: the follower thread sends it again.
            _logger.AnnouncementRetry(_topic, member, "not sent: " + ex.Message);
            _retry[member] = value;
        }
    }

    /// <summary>Sends again the failed announcements that are still their member's latest.</summary>
    private void RetryFailed()
    {
        foreach (var (member, value) in _retry)
        {
            if (_latest.TryGetValue(member, out var latest) && latest != value)
            {
                _retry.TryRemove(new KeyValuePair<string, string>(member, value));
                continue;
            }

            _retry.TryRemove(new KeyValuePair<string, string>(member, value));
            Send(member, value);
        }
    }

    /// <summary>The application server whose latest announcement claims <paramref name="partition"/>, or null.</summary>
    public string? OwnerOf(TopicPartition partition) =>
        _claims.Values.Where(c => c.Partitions.Contains(partition)).MaxBy(c => c.Offset)?.Server;

    /// <summary>Every announced server with the partitions it owns now (a partition counted for its latest claim only).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Owners()
    {
        var owners = new Dictionary<TopicPartition, Claim>();
        foreach (var claim in _claims.Values)
        {
            foreach (var tp in claim.Partitions)
            {
                if (!owners.TryGetValue(tp, out var current) || current.Offset < claim.Offset)
                {
                    owners[tp] = claim;
                }
            }
        }

        return owners.GroupBy(e => e.Value.Server).ToDictionary(g => g.Key, g => (IReadOnlyList<TopicPartition>)g.Select(e => e.Key).ToList());
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(5));
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
        _consumer.Dispose();
    }

    private void Follow()
    {
        while (!_stop)
        {
            if (!_retry.IsEmpty && Environment.TickCount64 >= _nextRetry)
            {
                _nextRetry = Environment.TickCount64 + 500;
                RetryFailed();
            }

            try
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message is not { } message || result.IsPartitionEOF)
                {
                    continue;
                }

                var lines = (message.Value ?? "").Split('\n', 2);
                var partitions = lines.Length < 2 || lines[1].Length == 0
                    ? new HashSet<TopicPartition>()
                    : lines[1].Split(',').Select(e => e.Split(':')).Select(p => new TopicPartition(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();
                _claims[message.Key] = new Claim(lines[0], partitions, result.Offset.Value);
            }
            catch (ConsumeException ex)
            {
                // The topic may not be readable yet right after it was created; the next poll retries.
                _logger.InstancesReadFailed(_topic, ex.Message);
            }
        }
    }

    private sealed record Claim(string Server, HashSet<TopicPartition> Partitions, long Offset);
}
