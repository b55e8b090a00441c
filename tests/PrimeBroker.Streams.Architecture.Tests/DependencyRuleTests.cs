using System.Text.RegularExpressions;

namespace PrimeBroker.Streams.Architecture.Tests;

/// <summary>The rules of ARCHITECTURE.md, one test each, in its order.</summary>
public sealed class DependencyRuleTests
{
    private const string Engine = "PrimeBroker.Streams.Engine";
    private const string TestDriver = "PrimeBroker.Streams.Engine.TestDriver";
    private static readonly string[] s_engineProjects = [Engine, "PrimeBroker.Streams.Engine.Embedded", TestDriver];
    private static readonly string[] s_avroAndRegistryPackages =
        ["Apache.Avro", "Confluent.SchemaRegistry", "Confluent.SchemaRegistry.Serdes.Avro"];

    [Fact]
    public void Rule1_TheEngineKnowsNoAvroNoTradesNoHttp()
    {
        var violations = new List<string>();
        foreach (var project in s_engineProjects.Select(SourceTree.Project))
        {
            violations.AddRange(project.ProjectReferences
                .Where(reference => !(project.Name != Engine && reference == Engine))
                .Select(reference => $"{project.Name} references project {reference}"));
            violations.AddRange(project.PackageReferences.Intersect(s_avroAndRegistryPackages)
                .Select(package => $"{project.Name} references package {package}"));
            violations.AddRange(project.FrameworkReferences.Select(framework => $"{project.Name} references framework {framework}"));
            violations.AddRange(NamespaceUses(project,
                "Avro", "Confluent.SchemaRegistry", "Microsoft.AspNetCore", "PrimeBroker.Streams.Contracts",
                "PrimeBroker.Streams.Serialization", "PrimeBroker.Streams.Brokerage", "PrimeBroker.Streams.App"));
        }

        AssertNone(violations);
    }

    [Fact]
    public void Rule2_OnlyTheEnginesStateLayerTouchesRocksDb()
    {
        var violations = SourceTree.Projects
            .Where(project => project.IsProduct && project.Name != "PrimeBroker.Streams.Engine")
            .Where(project => project.PackageReferences.Contains("RocksDB"))
            .Select(project => $"{project.Name} references package RocksDB")
            .ToList();
        violations.AddRange(SourceTree.Projects
            .Where(project => project.IsProduct)
            .SelectMany(project => NamespaceUses(project, "RocksDbSharp"))
            .Where(use => !use.StartsWith("engine/PrimeBroker.Streams.Engine/Internal/State/", StringComparison.Ordinal)));

        AssertNone(violations);
    }

    [Fact]
    public void Rule3_OnlySerdesTouchAvroAndTheRegistryClient()
    {
        var outsideSerdes = SourceTree.Projects.Where(project => project.IsProduct && project.Area is not ("serdes" or "avro")).ToList();
        var violations = outsideSerdes
            .SelectMany(project => project.PackageReferences.Intersect(s_avroAndRegistryPackages)
                .Select(package => $"{project.Name} references package {package}"))
            .ToList();
        violations.AddRange(outsideSerdes.SelectMany(project =>
            NamespaceUses(project, "Avro", "Confluent.SchemaRegistry")
                .Where(use => !AllowedOutsideSerdes(use))));

        AssertNone(violations);

        static bool AllowedOutsideSerdes(string use)
        {
            string ns = use[(use.LastIndexOf(' ') + 1)..];
            return ns is "Avro.Specific" or "Confluent.SchemaRegistry";
        }
    }

    [Fact]
    public void Rule4_TheSerdesKnowNoBusinessRulesAndNoHttp()
    {
        var serdes = SourceTree.Project("PrimeBroker.Streams.Serialization");
        var violations = serdes.ProjectReferences
            .Where(reference => reference != "PrimeBroker.Streams.Engine")
            .Select(reference => $"{serdes.Name} references project {reference}")
            .ToList();
        violations.AddRange(serdes.FrameworkReferences.Select(framework => $"{serdes.Name} references framework {framework}"));
        violations.AddRange(NamespaceUses(serdes, "Microsoft.AspNetCore", "PrimeBroker.Streams.Contracts",
            "PrimeBroker.Streams.Brokerage", "PrimeBroker.Streams.App"));

        AssertNone(violations);
    }

    [Fact]
    public void Rule5_TheDomainKnowsNoHttpAndNoCommandLine()
    {
        var domain = SourceTree.Project("PrimeBroker.Streams.Brokerage");
        var violations = domain.ProjectReferences
            .Where(reference => SourceTree.Project(reference).Area is "host" or "bench" or "tests")
            .Select(reference => $"{domain.Name} references project {reference}")
            .ToList();
        violations.AddRange(domain.FrameworkReferences.Select(framework => $"{domain.Name} references framework {framework}"));
        violations.AddRange(domain.PackageReferences
            .Where(package => package.StartsWith("System.CommandLine", StringComparison.Ordinal)
                || package.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
                || package.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .Select(package => $"{domain.Name} references package {package}"));
        violations.AddRange(NamespaceUses(domain, "Microsoft.AspNetCore", "System.CommandLine", "Microsoft.Extensions.Hosting",
            "PrimeBroker.Streams.App"));
        violations.AddRange(s_engineProjects.Select(SourceTree.Project)
            .Where(engine => engine.InternalsVisibleTo.Contains(domain.Name))
            .Select(engine => $"{engine.Name} shows its internals to {domain.Name}"));

        AssertNone(violations);
    }

    [Fact]
    public void Rule6_NothingDependsOnTheHostTheBenchmarksOrTheTests()
    {
        var product = SourceTree.Projects.Where(project => project.IsProduct).ToList();
        var violations = product
            .SelectMany(project => project.ProjectReferences
                .Where(reference => SourceTree.Project(reference) is { } target
                    && (target.Area is "bench" or "tests" || (target.Area == "host" && project.Area != "host")))
                .Select(reference => $"{project.Name} references project {reference}"))
            .ToList();
        violations.AddRange(product.SelectMany(project => project.InternalsVisibleTo
            .Where(friend => SourceTree.Projects.SingleOrDefault(p => p.Name == friend) is not { Area: "tests" })
            .Where(friend => !(project.Name == Engine && friend == TestDriver))
            .Select(friend => $"{project.Name} shows its internals to {friend}, which is not a project under tests/")));

        AssertNone(violations);
    }

    [Fact]
    public void Rule7_StreamizStaysInTheBench() =>
        AssertNone(SourceTree.Projects
            .Where(project => project.Area != "bench")
            .Where(project => project.PackageReferences.Any(package => package.StartsWith("Streamiz", StringComparison.Ordinal)))
            .Select(project => $"{project.Name} references Streamiz"));

    [Fact]
    public void Rule8_TheTestDriverIsReferencedByNoProductAssembly()
    {
        var product = SourceTree.Projects.Where(project => project.IsProduct && project.Name != TestDriver).ToList();
        var violations = product
            .Where(project => project.ProjectReferences.Contains(TestDriver))
            .Select(project => $"{project.Name} references project {TestDriver}")
            .ToList();
        violations.AddRange(product.SelectMany(project => NamespaceUses(project, "PrimeBroker.Streams.Engine.Testing")));

        AssertNone(violations);
    }

    [Fact]
    public void Rule8_TheDomainDoesNotReferenceTheTestDriver()
    {
        var domain = SourceTree.Project("PrimeBroker.Streams.Brokerage");
        var violations = domain.ProjectReferences
            .Where(reference => reference == TestDriver)
            .Select(reference => $"{domain.Name} references project {reference}")
            .ToList();
        violations.AddRange(NamespaceUses(domain, "PrimeBroker.Streams.Engine.Testing"));

        AssertNone(violations);
    }

    [Fact]
    public void Rule9_FolderEqualsNamespaceInEveryProductProject()
    {
        // A reader finds a type by its namespace: the folder under the project is the namespace under its root
        // namespace. Generated code keeps the namespace its generator gives it (the Avro contract's), and a root
        // Program.cs with top-level statements has none.
        var violations = new List<string>();
        foreach (var project in SourceTree.Projects.Where(project => project.IsProduct))
        {
            foreach (var file in project.Sources.Where(file => !file.Text.Contains("<auto-generated", StringComparison.Ordinal)))
            {
                string relativeFolder = Path.GetDirectoryName(file.Path[(project.Folder.Length + 1)..])!.Replace('\\', '/');
                string expected = relativeFolder.Length == 0
                    ? project.RootNamespace
                    : project.RootNamespace + "." + relativeFolder.Replace('/', '.');
                var declared = NamespaceDeclaration().Match(file.Text);
                if (!declared.Success)
                {
                    if (!(relativeFolder.Length == 0 && Path.GetFileName(file.Path) == "Program.cs"))
                    {
                        violations.Add($"{file.Path}: declares no namespace (expected {expected})");
                    }
                }
                else if (declared.Groups["ns"].Value != expected)
                {
                    violations.Add($"{file.Path}: namespace {declared.Groups["ns"].Value}, folder says {expected}");
                }
            }
        }

        AssertNone(violations);
    }

    [Fact]
    public void TheRulesSeeEveryProductProject()
    {
        // A rule that reads no files passes for the wrong reason: the tree must be where the rules expect it.
        string[] expected =
        [
            "PrimeBroker.Streams.App", "PrimeBroker.Streams.Brokerage", "PrimeBroker.Streams.Contracts",
            "PrimeBroker.Streams.Engine", "PrimeBroker.Streams.Engine.Embedded", "PrimeBroker.Streams.Engine.TestDriver",
            "PrimeBroker.Streams.Serialization",
            "PrimeBroker.Streams.Serialization.Embedded",
        ];
        Assert.Subset(SourceTree.Projects.Select(project => project.Name).ToHashSet(), expected.ToHashSet());
        Assert.All(expected, name => Assert.NotEmpty(SourceTree.Project(name).Sources));
        Assert.Contains("RocksDbSharp", SourceTree.Project("PrimeBroker.Streams.Engine").Sources.SelectMany(file => file.Usings));
    }

    /// <summary>
    /// Each use of a namespace under one of <paramref name="prefixes"/> in <paramref name="project"/>, as
    /// "path: namespace": using directives, and names written out in full in code (comments left out).
    /// </summary>
    private static IEnumerable<string> NamespaceUses(ProjectInfo project, params string[] prefixes)
    {
        foreach (var file in project.Sources)
        {
            foreach (string ns in file.Usings.Where(ns => prefixes.Any(prefix => IsUnder(ns, prefix))).Distinct())
            {
                yield return $"{file.Path}: using {ns}";
            }

            string code = CommentLines().Replace(file.Text, string.Empty);
            foreach (string prefix in prefixes)
            {
                var qualified = new Regex(@"(?<![\w.])(?:global::)?" + Regex.Escape(prefix) + @"\.[A-Z]\w*");
                foreach (Match match in qualified.Matches(code))
                {
                    if (!CodeBeforeIsUsing(code, match.Index))
                    {
                        yield return $"{file.Path}: {match.Value}";
                    }
                }
            }
        }
    }

    private static bool CodeBeforeIsUsing(string code, int index)
    {
        int lineStart = code.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        string line = code[lineStart..index].TrimStart();
        return line.StartsWith("using ", StringComparison.Ordinal) || line.StartsWith("global using ", StringComparison.Ordinal)
            || line.StartsWith("namespace ", StringComparison.Ordinal);
    }

    private static bool IsUnder(string ns, string prefix) =>
        ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

    private static Regex CommentLines() => s_commentLines;

    private static Regex NamespaceDeclaration() => s_namespaceDeclaration;

    // The first namespace declaration, file-scoped or block.
    private static readonly Regex s_namespaceDeclaration = new(@"^\s*namespace\s+(?<ns>[\w.]+)", RegexOptions.Multiline);

    // Line comments (to the end of their line) and block comments.
    private static readonly Regex s_commentLines = new(@"//[^\n]*|/\*[\s\S]*?\*/");

    private static void AssertNone(IEnumerable<string> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, "Dependency rule broken (see ARCHITECTURE.md):\n" + string.Join("\n", list));
    }
}
