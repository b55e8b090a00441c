using System.Reflection;
using Microsoft.Extensions.Logging;

namespace PrimeBroker.Streams.Architecture.Tests;

/// <summary>
/// Event ids (ARCHITECTURE.md, "Event ids"): each assembly logs through one table of <c>[LoggerMessage]</c> methods
/// whose ids lie in the assembly's own range, so an id names one message across the whole program.
/// </summary>
public sealed class EventIdTests
{
    /// <summary>The ranges, one per assembly that logs; disjoint.</summary>
    private static readonly Dictionary<string, (int First, int Last)> s_ranges = new()
    {
        ["PrimeBroker.Streams.Engine"] = (1000, 1999),
        ["PrimeBroker.Streams.Brokerage"] = (2000, 2999),
        ["PrimeBroker.Streams.Engine.Embedded"] = (9100, 9199),
        ["PrimeBroker.Streams.App"] = (9500, 9599),
    };

    [Fact]
    public void TheRangesAreDisjoint()
    {
        var ordered = s_ranges.OrderBy(range => range.Value.First).ToList();
        Assert.All(ordered, range => Assert.True(range.Value.First <= range.Value.Last, range.Key));
        for (int i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i - 1].Value.Last < ordered[i].Value.First,
                $"{ordered[i - 1].Key} and {ordered[i].Key} have overlapping event-id ranges");
        }
    }

    [Fact]
    public void EveryProductAssemblyThatLogsHasARange()
    {
        var logging = SourceTree.Projects
            .Where(project => project.IsProduct && project.Sources.Any(file => file.Text.Contains("[LoggerMessage", StringComparison.Ordinal)))
            .Select(project => project.Name)
            .ToList();
        Assert.NotEmpty(logging);
        Assert.All(logging, name => Assert.True(s_ranges.ContainsKey(name), $"{name} logs but has no event-id range here"));
    }

    [Fact]
    public void EveryEventIdIsUniqueAndInsideItsAssemblysRange()
    {
        var violations = new List<string>();
        var owners = new Dictionary<int, string>();
        foreach (var (assemblyName, (first, last)) in s_ranges)
        {
            var messages = LoggerMessages(Assembly.Load(assemblyName)).ToList();
            Assert.True(messages.Count > 0, $"{assemblyName}: no [LoggerMessage] method found, the test would pass for nothing");
            foreach (var (method, id) in messages)
            {
                string name = $"{assemblyName}: {method.DeclaringType!.Name}.{method.Name}";
                if (id < first || id > last)
                {
                    violations.Add($"{name} has event id {id}, outside {first}-{last}");
                }

                if (!owners.TryAdd(id, name))
                {
                    violations.Add($"{name} has event id {id}, already used by {owners[id]}");
                }
            }
        }

        Assert.True(violations.Count == 0, "Event ids (see ARCHITECTURE.md):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EachAssemblyHasOneEventIdTable()
    {
        // The host keeps a second table in its trade generator until its restructuring lands; every other assembly
        // logs through one class.
        var violations = new List<string>();
        foreach (string assemblyName in s_ranges.Keys.Where(name => name != "PrimeBroker.Streams.App"))
        {
            var tables = LoggerMessages(Assembly.Load(assemblyName)).Select(m => m.Method.DeclaringType!.FullName).Distinct().ToList();
            if (tables.Count != 1)
            {
                violations.Add($"{assemblyName} logs from {tables.Count} classes: {string.Join(", ", tables)}");
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static IEnumerable<(MethodInfo Method, int Id)> LoggerMessages(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(pair => pair.Attribute is not null)
            .Select(pair => (pair.Method, pair.Attribute!.EventId));
}
