using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Serialization.Embedded.Internal;

/// <summary>Compatibility levels by their wire names, and what each level checks.</summary>
internal static class CompatibilityLevels
{
    private static readonly Dictionary<string, Compatibility> s_byName = new(StringComparer.Ordinal)
    {
        ["NONE"] = Compatibility.None,
        ["BACKWARD"] = Compatibility.Backward,
        ["BACKWARD_TRANSITIVE"] = Compatibility.BackwardTransitive,
        ["FORWARD"] = Compatibility.Forward,
        ["FORWARD_TRANSITIVE"] = Compatibility.ForwardTransitive,
        ["FULL"] = Compatibility.Full,
        ["FULL_TRANSITIVE"] = Compatibility.FullTransitive,
    };

    public static string Name(Compatibility level) => s_byName.First(pair => pair.Value == level).Key;

    public static Compatibility Parse(string? name) =>
        name is not null && s_byName.TryGetValue(name.ToUpperInvariant(), out Compatibility level)
            ? level
            : throw RegistryError.InvalidCompatibilityLevel(name);

    public static bool IsDefined(Compatibility level) => s_byName.ContainsValue(level);

    /// <summary>Backward: the new schema reads data of the old ones.</summary>
    public static bool ChecksBackward(Compatibility level) =>
        level is Compatibility.Backward or Compatibility.BackwardTransitive or Compatibility.Full or Compatibility.FullTransitive;

    /// <summary>Forward: the old schemas read data of the new one.</summary>
    public static bool ChecksForward(Compatibility level) =>
        level is Compatibility.Forward or Compatibility.ForwardTransitive or Compatibility.Full or Compatibility.FullTransitive;

    /// <summary>Transitive levels check against every version, the others against the latest only.</summary>
    public static bool IsTransitive(Compatibility level) =>
        level is Compatibility.BackwardTransitive or Compatibility.ForwardTransitive or Compatibility.FullTransitive;
}
