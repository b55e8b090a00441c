using PrimeBroker.Streams.Engine.Dsl;
using PrimeBroker.Streams.Engine.State;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>A node of the logical topology; <see cref="Create"/> makes the per-task runtime instance.</summary>
internal abstract class NodeDefinition
{
    protected NodeDefinition(string name) => Name = name;

    public string Name { get; }

    public List<string> Parents { get; } = new();

    public List<string> Children { get; } = new();

    public abstract RuntimeNode Create();
}

internal sealed class SourceDefinition : NodeDefinition
{
    private readonly Func<RuntimeNode> _factory;

    public SourceDefinition(string name, IReadOnlyList<string> topics, bool internalTopic, OffsetResetPolicy resetPolicy, Func<RuntimeNode> factory)
        : base(name)
    {
        Topics = topics;
        IsInternalTopic = internalTopic;
        ResetPolicy = resetPolicy;
        _factory = factory;
    }

    /// <summary>Topic names; for an internal (repartition) topic, the name without the application id prefix.</summary>
    public IReadOnlyList<string> Topics { get; }

    public bool IsInternalTopic { get; }

    public OffsetResetPolicy ResetPolicy { get; }

    /// <summary>The real topic names for <paramref name="applicationId"/> (repartition topics get its prefix).</summary>
    public IEnumerable<string> ResolvedTopics(string applicationId) =>
        IsInternalTopic ? Topics.Select(t => InternalTopics.Name(applicationId, t)) : Topics;

    public override RuntimeNode Create() => _factory();
}

internal sealed class ProcessorDefinition : NodeDefinition
{
    private readonly Func<RuntimeNode> _factory;

    public ProcessorDefinition(string name, IReadOnlyList<string> storeNames, Func<RuntimeNode> factory) : base(name)
    {
        StoreNames = storeNames;
        _factory = factory;
    }

    public IReadOnlyList<string> StoreNames { get; }

    public override RuntimeNode Create() => _factory();
}

internal sealed class SinkDefinition : NodeDefinition
{
    private readonly Func<RuntimeNode> _factory;

    public SinkDefinition(string name, string topic, bool internalTopic, Func<RuntimeNode> factory) : base(name)
    {
        Topic = topic;
        IsInternalTopic = internalTopic;
        _factory = factory;
    }

    public string Topic { get; }

    public bool IsInternalTopic { get; }

    public override RuntimeNode Create() => _factory();
}

/// <summary>A global store: fed from every partition of <see cref="Topic"/>, read by any task.</summary>
internal sealed record GlobalStoreDefinition(string StoreName, string Topic, StoreKind Kind);

/// <summary>A connected part of the topology; it has its own tasks, one per partition of its source topics.</summary>
internal sealed record SubTopology(int Id, IReadOnlyList<string> NodeNames, IReadOnlyList<SourceDefinition> Sources, IReadOnlyList<string> StoreNames)
{
    /// <summary>Every source topic's real name for <paramref name="applicationId"/>.</summary>
    public IEnumerable<string> ResolvedSourceTopics(string applicationId) => Sources.SelectMany(s => s.ResolvedTopics(applicationId));
}
