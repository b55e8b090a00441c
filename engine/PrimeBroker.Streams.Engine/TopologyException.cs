namespace PrimeBroker.Streams.Engine;

/// <summary>A topology that cannot run: unknown store, unconnected node, non-co-partitioned sources, ...</summary>
/// <remarks>Thrown while the topology is declared (DSL operators, <see cref="StreamsBuilder.Build"/>) and when it
/// starts: <see cref="StreamsApplication.StartAsync"/> (a missing source topic, sources of one sub-topology with
/// different partition counts) and the test driver's constructor (co-partitioning).</remarks>
public sealed class TopologyException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with "Invalid topology: ".</summary>
    /// <param name="message">What is wrong.</param>
    public TopologyException(string message) : base("Invalid topology: " + message)
    {
    }
}
