using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PrimeBroker.Streams.Architecture.Tests;

/// <summary>One project of the repository as its project file and sources declare it.</summary>
internal sealed record ProjectInfo(
    string Name,
    string Folder,
    string RootNamespace,
    IReadOnlyList<string> ProjectReferences,
    IReadOnlyList<string> PackageReferences,
    IReadOnlyList<string> FrameworkReferences,
    IReadOnlyList<string> InternalsVisibleTo,
    IReadOnlyList<SourceFile> Sources)
{
    /// <summary>The top-level folder: engine, serdes, avro, topology, host, bench or tests.</summary>
    public string Area => Folder.Split('/')[0];

    public bool IsProduct => Area is not ("tests" or "bench");
}

/// <summary>A C# file: its path from the repository root, its using directives, and its text.</summary>
internal sealed record SourceFile(string Path, IReadOnlyList<string> Usings, string Text);

/// <summary>Reads every project file and its C# sources from the repository (bin/ and obj/ left out).</summary>
internal static partial class SourceTree
{
    public static string Root { get; } = typeof(SourceTree).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryRoot").Value!;

    public static IReadOnlyList<ProjectInfo> Projects { get; } = Load();

    public static ProjectInfo Project(string name) =>
        Projects.SingleOrDefault(project => project.Name == name)
        ?? throw new InvalidOperationException($"No project {name} in the repository; the architecture rules need updating.");

    private static List<ProjectInfo> Load()
    {
        string[] areas = ["engine", "serdes", "avro", "topology", "host", "bench", "tests"];
        return areas
            .Where(area => Directory.Exists(Path.Combine(Root, area)))
            .SelectMany(area => Directory.EnumerateFiles(Path.Combine(Root, area), "*.csproj", SearchOption.AllDirectories))
            .Where(path => !IsBuildOutput(path))
            .Select(LoadProject)
            .OrderBy(project => project.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static ProjectInfo LoadProject(string csproj)
    {
        var xml = XDocument.Load(csproj);
        string folder = Path.GetRelativePath(Root, Path.GetDirectoryName(csproj)!).Replace('\\', '/');
        List<string> Items(string element, string attribute) => xml.Descendants(element)
            .Select(item => (string?)item.Attribute(attribute))
            .OfType<string>()
            .ToList();

        var sources = Directory.EnumerateFiles(Path.GetDirectoryName(csproj)!, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path))
            .Select(path =>
            {
                string text = File.ReadAllText(path);
                return new SourceFile(
                    Path.GetRelativePath(Root, path).Replace('\\', '/'),
                    UsingDirective().Matches(text).Select(match => match.Groups["ns"].Value).ToList(),
                    text);
            })
            .ToList();

        string name = Path.GetFileNameWithoutExtension(csproj);
        return new ProjectInfo(
            name,
            folder,
            xml.Descendants("RootNamespace").Select(element => element.Value.Trim()).LastOrDefault() ?? name,
            Items("ProjectReference", "Include").Select(reference => Path.GetFileNameWithoutExtension(reference.Replace('\\', '/'))).ToList(),
            Items("PackageReference", "Include"),
            Items("FrameworkReference", "Include"),
            Items("InternalsVisibleTo", "Include"),
            sources);
    }

    private static bool IsBuildOutput(string path)
    {
        string relative = Path.GetRelativePath(Root, path).Replace('\\', '/');
        return relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal);
    }

    /// <summary><c>using X.Y;</c>, <c>global using X.Y;</c>, <c>using static X.Y;</c> and <c>using A = X.Y;</c>.</summary>
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global::)?(?<ns>[A-Za-z_][\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
