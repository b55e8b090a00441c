namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>The branches of a <see cref="IKStream{TKey,TValue}.Split"/>; records go to the first matching branch.</summary>
public abstract class BranchedKStream<TKey, TValue>
{
    private protected BranchedKStream()
    {
    }

    public abstract BranchedKStream<TKey, TValue> Branch(Func<TKey, TValue, bool> predicate, Branched branched);

    /// <summary>Records that matched no branch go to a branch named "default"; returns all branches by name.</summary>
    public abstract IReadOnlyDictionary<string, IKStream<TKey, TValue>> DefaultBranch(Branched? branched = null);

    /// <summary>Records that matched no branch are dropped; returns all branches by name.</summary>
    public abstract IReadOnlyDictionary<string, IKStream<TKey, TValue>> NoDefaultBranch();
}
