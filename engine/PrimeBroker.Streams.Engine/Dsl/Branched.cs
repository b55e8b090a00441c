namespace PrimeBroker.Streams.Engine.Dsl;

/// <summary>Names one branch of <c>Split()</c>.</summary>
public sealed record Branched(string Name)
{
    public static Branched As(string name) => new(name);
}
