namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>Names one branch of <c>Split()</c>.</summary>
/// <param name="Name">The branch's name: its key in the dictionary the split returns, and the suffix of its node
/// name. Unique within the split.</param>
public sealed record Branched(string Name)
{
    /// <summary>A branch named <paramref name="name"/>.</summary>
    /// <param name="name">The branch's name.</param>
    /// <returns>A new options object.</returns>
    public static Branched As(string name) => new(name);
}
