using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Runtime;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>
/// One instance's view of an instance directory shared in memory by the members of a test (what the instances topic is
/// at run time): announcements are kept per member in the order they were made, and a partition belongs to the latest
/// announcement that claims it, as <see cref="InstanceDirectory"/> reads the topic.
/// </summary>
internal sealed class InMemoryInstanceDirectory(InMemoryInstanceDirectory.Claims claims, string server) : IInstanceDirectory
{
    public string Server => server;

    public void Announce(string member, IEnumerable<TopicPartition> partitions) => claims.Put(member, server, partitions.ToHashSet());

    public string? OwnerOf(TopicPartition partition) => Owners().FirstOrDefault(e => e.Value.Contains(partition)).Key;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Owners() => claims.Owners();

    /// <summary>The announcements every member of a test made (the topic's content).</summary>
    internal sealed class Claims
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, (string Server, HashSet<TopicPartition> Partitions, long Sequence)> _byMember = new();
        private long _sequence;

        public void Put(string member, string server, HashSet<TopicPartition> partitions)
        {
            lock (_gate)
            {
                _byMember[member] = (server, partitions, ++_sequence);
            }
        }

        public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Owners()
        {
            lock (_gate)
            {
                var owners = new Dictionary<TopicPartition, (string Server, long Sequence)>();
                foreach (var (server, partitions, sequence) in _byMember.Values)
                {
                    foreach (var tp in partitions)
                    {
                        if (!owners.TryGetValue(tp, out var current) || current.Sequence < sequence)
                        {
                            owners[tp] = (server, sequence);
                        }
                    }
                }

                return owners.GroupBy(e => e.Value.Server).ToDictionary(g => g.Key, g => (IReadOnlyList<TopicPartition>)g.Select(e => e.Key).ToList());
            }
        }
    }
}
