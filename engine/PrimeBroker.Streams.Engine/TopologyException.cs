namespace PrimeBroker.Streams.Engine;

/// <summary>A topology that cannot run: unknown store, unconnected node, non-co-partitioned sources, ...</summary>
public sealed class TopologyException : Exception
{
    public TopologyException(string message) : base("Invalid topology: " + message)
    {
    }
}
