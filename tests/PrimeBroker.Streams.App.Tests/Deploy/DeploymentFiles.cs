using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>
/// Reads the files of <c>deploy/</c>: the Dockerfile's defaults, the compose file's services and the Kubernetes
/// manifests, as plain YAML object graphs (maps, lists, strings). Compose's <c>&lt;&lt;: *anchor</c> merges are applied,
/// as Docker Compose applies them.
/// </summary>
internal static partial class DeploymentFiles
{
    /// <summary>The image name (without tag) the deployment files give the host's image.</summary>
    internal const string ImageName = "primebroker-streams";

    /// <summary>The repository's <c>deploy/</c> folder, found from the test's output folder upwards.</summary>
    internal static string DeployFolder { get; } = FindDeployFolder();

    internal static string Read(string relativePath) => File.ReadAllText(Path.Combine(DeployFolder, relativePath));

    /// <summary>Every YAML document in <paramref name="text"/> (one for compose, several for a manifest file).</summary>
    internal static List<object?> ParseYaml(string text)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(text)));
        var documents = new List<object?>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize(parser));
        }

        return documents;
    }

    /// <summary>The Dockerfile's <c>ENV</c> settings of its final stage and its default <c>CMD</c>.</summary>
    internal static (Dictionary<string, string> Environment, List<string> Command) DockerfileDefaults(string dockerfile)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var command = new List<string>();
        foreach (var instruction in DockerInstructions(dockerfile))
        {
            var (verb, rest) = (instruction.Split(' ', 2)[0].ToUpperInvariant(), instruction.Split(' ', 2).ElementAtOrDefault(1) ?? "");
            switch (verb)
            {
                case "FROM":
                    // A new stage: only the last stage's settings end up in the image.
                    environment.Clear();
                    command.Clear();
                    break;
                case "ENV":
                    foreach (Match m in EnvPair().Matches(rest))
                    {
                        environment[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
                    }

                    break;
                case "CMD":
                    command = JsonSerializer.Deserialize<List<string>>(rest)
                        ?? throw new FormatException("CMD must be a JSON array (exec form).");
                    break;
            }
        }

        return (environment, command);
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined, comments dropped.</summary>
    internal static IEnumerable<string> DockerInstructions(string dockerfile)
    {
        var current = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (!string.IsNullOrWhiteSpace(current))
            {
                yield return current.Trim();
            }

            current = "";
        }
    }

    /// <summary>The host's containers in a compose file: services built from <c>deploy/Dockerfile</c> or using the host's
    /// image. A service without a command runs the image's default <paramref name="defaultCommand"/>.</summary>
    internal static List<AppContainer> ComposeContainers(string composeText, string file, IReadOnlyList<string> defaultCommand)
    {
        var root = Map(ParseYaml(composeText).Single(), file);
        var containers = new List<AppContainer>();
        foreach (var (name, value) in Map(root["services"], $"{file} services"))
        {
            var service = Map(value, $"{file} services.{name}");
            var image = service.GetValueOrDefault("image") as string ?? "";
            var builtHere = service.GetValueOrDefault("build") is Dictionary<object, object> build
                && (build.GetValueOrDefault("dockerfile") as string ?? "").EndsWith("deploy/Dockerfile", StringComparison.Ordinal);
            if (!builtHere && !image.StartsWith(ImageName, StringComparison.Ordinal))
            {
                continue;
            }

            var args = service.GetValueOrDefault("command") switch
            {
                null => defaultCommand.ToList(),
                string s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(),
                List<object> list => list.Select(a => a?.ToString() ?? "").ToList(),
                var other => throw new FormatException($"{file} services.{name}.command: unexpected {other.GetType().Name}"),
            };
            var environment = service.GetValueOrDefault("environment") switch
            {
                null => new Dictionary<string, string>(),
                Dictionary<object, object> map => map.ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? ""),
                List<object> list => list.Select(e => e.ToString()!.Split('=', 2))
                    .ToDictionary(kv => kv[0], kv => kv.ElementAtOrDefault(1) ?? ""),
                var other => throw new FormatException($"{file} services.{name}.environment: unexpected {other.GetType().Name}"),
            };
            containers.Add(new AppContainer($"{file} services.{name}", args, environment));
        }

        return containers;
    }

    /// <summary>The host's containers in Kubernetes manifests (any workload whose pod template runs the host's image).
    /// Without <c>args</c> a container runs the image's default <paramref name="defaultCommand"/>; a container that
    /// overrides <c>command</c> (the entry point) is reported as such in its args.</summary>
    internal static List<AppContainer> KubernetesContainers(IEnumerable<(string File, object? Document)> documents, IReadOnlyList<string> defaultCommand)
    {
        var containers = new List<AppContainer>();
        foreach (var (file, document) in documents)
        {
            if (document is not Dictionary<object, object> manifest || PodSpec(manifest) is not { } podSpec)
            {
                continue;
            }

            var workload = $"{file} {manifest["kind"]}/{Map(manifest["metadata"], file)["name"]}";
            // Init containers run the same image with the same settings rules.
            var items = (podSpec.GetValueOrDefault("initContainers") as List<object> ?? []).Select(i => (Kind: "init container", Item: i))
                .Concat((podSpec.GetValueOrDefault("containers") as List<object> ?? []).Select(i => (Kind: "container", Item: i)));
            foreach (var (kind, item) in items)
            {
                var container = Map(item, workload);
                if (!(container.GetValueOrDefault("image") as string ?? "").StartsWith(ImageName, StringComparison.Ordinal))
                {
                    continue;
                }

                var source = $"{workload} {kind} {container["name"]}";
                if (container.ContainsKey("command"))
                {
                    throw new FormatException($"{source}: overrides the image's entry point; pass arguments with args only.");
                }

                var args = (container.GetValueOrDefault("args") as List<object>)?.Select(a => a?.ToString() ?? "").ToList()
                    ?? defaultCommand.ToList();
                var environment = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var env in (container.GetValueOrDefault("env") as List<object> ?? []).Select(e => Map(e, source)))
                {
                    environment[(string)env["name"]] = env.TryGetValue("value", out var v)
                        ? v?.ToString() ?? ""
                        : AppContainer.FromReference + Flatten(env.GetValueOrDefault("valueFrom"), "");
                }

                containers.Add(new AppContainer(source, args, environment));
            }
        }

        return containers;
    }

    /// <summary>The pod template's spec of a workload manifest (StatefulSet, Deployment, Job, DaemonSet), or null.</summary>
    internal static Dictionary<object, object>? PodSpec(Dictionary<object, object> manifest) =>
        manifest.GetValueOrDefault("spec") is Dictionary<object, object> spec
        && spec.GetValueOrDefault("template") is Dictionary<object, object> template
            ? template.GetValueOrDefault("spec") as Dictionary<object, object>
            : null;

    /// <summary>The Kubernetes manifests in <c>deploy/kubernetes/</c>, every document of every file.</summary>
    internal static List<(string File, object? Document)> KubernetesDocuments() =>
        Directory.GetFiles(Path.Combine(DeployFolder, "kubernetes"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(path => ParseYaml(File.ReadAllText(path)).Select(d => ("kubernetes/" + Path.GetFileName(path), d)))
            .ToList();

    /// <summary>A YAML value as <c>path=value</c> pairs joined by ';', e.g. <c>fieldRef.fieldPath=metadata.name</c>.</summary>
    internal static string Flatten(object? value, string path) => value switch
    {
        Dictionary<object, object> map => string.Join(";", map.Select(e => Flatten(e.Value, path.Length == 0 ? $"{e.Key}" : $"{path}.{e.Key}"))),
        List<object> list => string.Join(";", list.Select((e, i) => Flatten(e, $"{path}[{i}]"))),
        _ => $"{path}={value}",
    };

    internal static Dictionary<object, object> Map(object? value, string where) =>
        value as Dictionary<object, object> ?? throw new FormatException($"{where}: expected a map, found {value?.GetType().Name ?? "nothing"}");

    private static string FindDeployFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PrimeBroker.Streams.sln")))
            {
                return Path.Combine(dir.FullName, "deploy");
            }
        }

        throw new DirectoryNotFoundException($"No PrimeBroker.Streams.sln above {AppContext.BaseDirectory}.");
    }

    // KEY=value or KEY="value" pairs of an ENV instruction (the legacy "ENV KEY value" form is not used here).
    [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)""")]
    private static partial Regex EnvPair();
}
