using System.Text.RegularExpressions;

namespace PrimeBroker.Streams.Architecture.Tests;

/// <summary>
/// Rule 10 of ARCHITECTURE.md: the host's folders (rooms) form layers, with no cycle between them. A room depends on
/// another when one of its files has a <c>using</c> of the other's namespace, or names one of the other's types
/// qualified by its namespace (<c>PrimeBroker.Streams.App.Http.OwnerRouter</c>, or <c>Http.OwnerRouter</c> from inside
/// the host's namespace), in code or in a doc comment's <c>cref</c>.
/// </summary>
public sealed partial class HostLayeringTests
{
    private const string HostProject = "PrimeBroker.Streams.App";
    private const string HostNamespace = "PrimeBroker.Streams.App";

    [Fact]
    public void Rule10_TheHostsFoldersImportEachOtherInNoCycle()
    {
        var graph = HostRoomGraph.Read(SourceTree.Project(HostProject));
        Assert.True(graph.Rooms.Count >= 5, $"Found only the rooms {string.Join(", ", graph.Rooms)}; the host's folders were not read.");

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "The host's folders import each other in a cycle:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Rule10_EveryHostFileIsInTheNamespaceOfItsFolder()
    {
        var project = SourceTree.Project(HostProject);
        var violations = project.Sources
            .Select(file => (file.Path, Expected: HostRoomGraph.NamespaceOfFolder(project, file.Path), Declared: DeclaredNamespace(file.Text)))
            .Where(file => file.Declared is not null && file.Declared != file.Expected)
            .Select(file => $"{file.Path}: namespace {file.Declared}, expected {file.Expected}")
            .ToList();

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>The rule sees a dependency the way it is written: a cycle planted in sample sources is found, with the
    /// files that close it; the same sources without the back edge have none.</summary>
    [Fact]
    public void Rule10_FindsACycleThroughAUsingAndThroughAQualifiedName()
    {
        SourceFile File(string path, string text) => new(path, [], text);
        var http = File("host/App/Http/Api.cs", "using PrimeBroker.Streams.App.Streams;\nnamespace PrimeBroker.Streams.App.Http;\ninternal sealed class Api { Sampler? _s; }");
        var streams = File("host/App/Streams/Sampler.cs", "namespace PrimeBroker.Streams.App.Streams;\ninternal sealed class Sampler { }");
        var backByName = File("host/App/Streams/Back.cs", "namespace PrimeBroker.Streams.App.Streams;\n/// <see cref=\"Http.Api\"/>\ninternal sealed class Back { }");
        var options = File("host/App/Options/Opts.cs", "namespace PrimeBroker.Streams.App.Options;\ninternal sealed class Opts { object o = Microsoft.Extensions.Options.Options.Create(1); }");

        var acyclic = HostRoomGraph.Read("host/App", [http, streams, options]);
        var cyclic = HostRoomGraph.Read("host/App", [http, streams, backByName, options]);

        Assert.Empty(acyclic.Cycles());
        var cycle = Assert.Single(cyclic.Cycles());
        Assert.Contains("Http -> Streams", cycle);
        Assert.Contains("Streams -> Http", cycle);
        Assert.Contains("host/App/Streams/Back.cs", cycle);
    }

    private static string? DeclaredNamespace(string text) => NamespaceDeclaration().Match(text) is { Success: true } match ? match.Groups["ns"].Value : null;

    [GeneratedRegex(@"^\s*namespace\s+(?<ns>[\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    /// <summary>Rooms of the host (its first-level folders) and which rooms each one's files name.</summary>
    private sealed partial class HostRoomGraph
    {
        private readonly Dictionary<string, Dictionary<string, string>> _edges;

        private HostRoomGraph(IReadOnlyList<string> rooms, Dictionary<string, Dictionary<string, string>> edges)
        {
            Rooms = rooms;
            _edges = edges;
        }

        public IReadOnlyList<string> Rooms { get; }

        public static HostRoomGraph Read(ProjectInfo project) => Read(project.Folder, project.Sources);

        /// <param name="folder">The project's folder from the repository root.</param>
        /// <param name="sources">Its C# files.</param>
        public static HostRoomGraph Read(string folder, IReadOnlyList<SourceFile> sources)
        {
            var byRoom = sources
                .Select(file => (Room: RoomOf(folder, file.Path), File: file))
                .Where(entry => entry.Room is not null)
                .GroupBy(entry => entry.Room!, entry => entry.File)
                .ToDictionary(group => group.Key, group => group.ToList());
            var typesByRoom = byRoom.ToDictionary(
                room => room.Key,
                room => room.Value.SelectMany(file => TypeDeclaration().Matches(file.Text).Select(match => match.Groups["name"].Value)).ToHashSet());

            // Edge room -> (other room -> the first file that names it).
            var edges = byRoom.Keys.ToDictionary(room => room, _ => new Dictionary<string, string>());
            foreach (var (room, files) in byRoom)
            {
                foreach (var file in files)
                {
                    foreach (var other in NamedRooms(file.Text, typesByRoom).Where(other => other != room && edges.ContainsKey(other)))
                    {
                        edges[room].TryAdd(other, file.Path);
                    }
                }
            }

            return new HostRoomGraph([.. byRoom.Keys.Order(StringComparer.Ordinal)], edges);
        }

        public static string NamespaceOfFolder(ProjectInfo project, string path) =>
            RoomOf(project.Folder, path) is { } room ? $"{HostNamespace}.{room}" : HostNamespace;

        /// <summary>Each cycle once, as <c>A -> B (file) -> ... -> A</c>: one per strongly connected set of rooms, walked
        /// along its edges.</summary>
        public List<string> Cycles()
        {
            var cycles = new List<string>();
            foreach (var component in StronglyConnected().Where(component => component.Count > 1))
            {
                var path = new List<string> { component.Order(StringComparer.Ordinal).First() };
                var members = component.ToHashSet();
                while (true)
                {
                    var next = _edges[path[^1]].Keys.Where(members.Contains).Order(StringComparer.Ordinal)
                        .FirstOrDefault(candidate => candidate == path[0] || !path.Contains(candidate))
                        ?? _edges[path[^1]].Keys.Where(members.Contains).Order(StringComparer.Ordinal).First();
                    path.Add(next);
                    if (path.Count(room => room == next) > 1)
                    {
                        break;
                    }
                }

                var start = path.IndexOf(path[^1]);
                cycles.Add(string.Join("; ", path.Skip(start).Zip(path.Skip(start + 1))
                    .Select(step => $"{step.First} -> {step.Second} ({_edges[step.First][step.Second]})")));
            }

            return cycles;
        }

        /// <summary>Tarjan's algorithm.</summary>
        private List<List<string>> StronglyConnected()
        {
            var index = new Dictionary<string, int>();
            var low = new Dictionary<string, int>();
            var stack = new Stack<string>();
            var components = new List<List<string>>();

            void Visit(string room)
            {
                index[room] = low[room] = index.Count;
                stack.Push(room);
                foreach (var other in _edges[room].Keys)
                {
                    if (!index.ContainsKey(other))
                    {
                        Visit(other);
                        low[room] = Math.Min(low[room], low[other]);
                    }
                    else if (stack.Contains(other))
                    {
                        low[room] = Math.Min(low[room], index[other]);
                    }
                }

                if (low[room] == index[room])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        component.Add(member);
                    }
                    while (member != room);
                    components.Add(component);
                }
            }

            foreach (var room in Rooms.Where(room => !index.ContainsKey(room)))
            {
                Visit(room);
            }

            return components;
        }

        /// <summary>The first folder under the project, or null for a file at its root (the entry point and the log table,
        /// which every room sees as its enclosing namespace).</summary>
        private static string? RoomOf(string projectFolder, string path)
        {
            var relative = path[(projectFolder.Length + 1)..].Split('/');
            return relative.Length > 1 ? relative[0] : null;
        }

        /// <summary>Rooms a file names: by a using directive of the room's namespace (or a namespace below it), by a
        /// fully qualified name, or by <c>Room.Type</c> where Type is declared in that room.</summary>
        private static IEnumerable<string> NamedRooms(string text, Dictionary<string, HashSet<string>> typesByRoom)
        {
            foreach (Match match in QualifiedHostName().Matches(text))
            {
                yield return match.Groups["room"].Value;
            }

            foreach (Match match in RoomQualifiedName().Matches(text))
            {
                var room = match.Groups["room"].Value;
                if (typesByRoom.TryGetValue(room, out var types) && types.Contains(match.Groups["type"].Value))
                {
                    yield return room;
                }
            }
        }

        /// <summary><c>PrimeBroker.Streams.App.Room</c>, in a using directive or a qualified name.</summary>
        [GeneratedRegex(@"(?<![\w.])(?:global::)?PrimeBroker\.Streams\.App\.(?<room>[A-Z]\w*)\b")]
        private static partial Regex QualifiedHostName();

        /// <summary><c>Room.Type</c> not preceded by another name part (so <c>Microsoft.Extensions.Options.Options</c> is
        /// not the Options room).</summary>
        [GeneratedRegex(@"(?<![\w.])(?<room>[A-Z]\w*)\.(?<type>[A-Z]\w*)\b")]
        private static partial Regex RoomQualifiedName();

        [GeneratedRegex(@"\b(?:class|record|interface|struct|enum)\s+(?<name>[A-Z]\w*)")]
        private static partial Regex TypeDeclaration();
    }
}
