namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>The branches of a <see cref="IKStream{TKey,TValue}.Split"/>; records go to the first matching branch.</summary>
/// <remarks>Declare branches with <see cref="Branch"/>, then finish with <see cref="DefaultBranch"/> or
/// <see cref="NoDefaultBranch"/>, once: the branch nodes are added to the topology when it is finished, and finishing
/// again throws <see cref="TopologyException"/>. Predicates run
/// on the stream thread, in declaration order, until one returns true. Not thread-safe. Only the engine derives from
/// this class.</remarks>
/// <typeparam name="TKey">Type of the record keys.</typeparam>
/// <typeparam name="TValue">Type of the record values.</typeparam>
public abstract class BranchedKStream<TKey, TValue>
{
    private protected BranchedKStream()
    {
    }

    /// <summary>Adds a branch that receives the records <paramref name="predicate"/> accepts and no earlier branch
    /// took.</summary>
    /// <param name="predicate">Called with each record's key and value; must not be null.</param>
    /// <param name="branched">The branch's name: the key of the returned dictionary, and the node name suffix
    /// (<c>&lt;split name&gt;-&lt;branch&gt;</c>).</param>
    /// <returns>This object, to chain more branches.</returns>
    /// <exception cref="TopologyException">Another branch of this split has the same name.</exception>
    public abstract BranchedKStream<TKey, TValue> Branch(Func<TKey, TValue, bool> predicate, Branched branched);

    /// <summary>Records that matched no branch go to a branch named "default"; returns all branches by name.</summary>
    /// <param name="branched">The default branch's name; null for "default".</param>
    /// <returns>Every branch's stream by branch name, the default branch included. Each has the split stream's serdes.</returns>
    public abstract IReadOnlyDictionary<string, IKStream<TKey, TValue>> DefaultBranch(Branched? branched = null);

    /// <summary>Records that matched no branch are dropped; returns all branches by name.</summary>
    /// <returns>Every branch's stream by branch name. Each has the split stream's serdes.</returns>
    public abstract IReadOnlyDictionary<string, IKStream<TKey, TValue>> NoDefaultBranch();
}
