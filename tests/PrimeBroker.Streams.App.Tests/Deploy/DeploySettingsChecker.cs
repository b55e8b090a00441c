using System.Text.RegularExpressions;

namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>
/// Checks that a container of the host's image passes only settings the host has: environment variables of the form
/// <c>Section__Key</c> and command-line switches of the command it runs must each bind to a property of the host's
/// options (<see cref="HostSettingsCatalog"/>), and the resulting options must pass their own validation. A misspelt
/// key, an unknown switch or a value of the wrong type is a problem; so is an environment variable that is neither a
/// setting nor used by the container's arguments.
/// </summary>
internal sealed partial class DeploySettingsChecker(HostSettingsCatalog catalog)
{
    // Values a field reference stands for when the arguments that use it are validated.
    private static readonly Dictionary<string, string> s_sampleFieldValues = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = "primebroker-0",
        ["metadata.namespace"] = "default",
    };

    /// <summary>The configuration the container ends up with (key → value), and every problem found on the way.</summary>
    /// <param name="container">The container as the deployment file declares it.</param>
    /// <param name="imageEnvironment">The image's own <c>ENV</c> settings, under the container's.</param>
    internal (Dictionary<string, string> Settings, List<string> Problems) Check(
        AppContainer container, IReadOnlyDictionary<string, string> imageEnvironment)
    {
        var problems = new List<string>();
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var environment = new Dictionary<string, string>(imageEnvironment, StringComparer.Ordinal);
        foreach (var (name, value) in container.Environment)
        {
            environment[name] = value;
        }

        var (args, referenced) = Expand(container, environment, problems);

        foreach (var (name, value) in environment)
        {
            if (name.Contains("__", StringComparison.Ordinal))
            {
                AddSetting(settings, name.Replace("__", ":", StringComparison.Ordinal), value, $"environment {name}", problems);
            }
            else if (!referenced.Contains(name))
            {
                problems.Add($"environment {name}: not a host setting (those are Section__Key) and not used by the arguments");
            }
        }

        if (args.Count == 0 || !catalog.Commands.TryGetValue(args[0], out var switches))
        {
            problems.Add($"arguments must start with a command of the host ({string.Join(", ", catalog.Commands.Keys)}); got '{args.FirstOrDefault()}'");
            return (settings, problems);
        }

        for (var i = 1; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                problems.Add($"argument '{token}': not a switch of '{args[0]}' and not a switch's value");
                continue;
            }

            var parts = token.Split('=', 2);
            var name = parts[0];
            var known = switches.GetValueOrDefault(name);
            var value = parts.Length == 2 ? parts[1]
                : known is { IsFlag: true } ? "true"
                : i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i]
                : "true";
            if (name.Contains(':', StringComparison.Ordinal))
            {
                AddSetting(settings, name[2..], value, $"switch {name}", problems);
            }
            else if (known is not null)
            {
                AddSetting(settings, known.ConfigurationKey, value, $"switch {name}", problems);
            }
            else
            {
                problems.Add($"switch {name}: '{args[0]}' has no such switch (known: {string.Join(", ", switches.Keys)})");
            }
        }

        problems.AddRange(catalog.Invalid(settings).Select(p => "invalid: " + p));
        return (settings, problems);
    }

    private void AddSetting(Dictionary<string, string> settings, string key, string value, string from, List<string> problems)
    {
        if (value.StartsWith(AppContainer.FromReference, StringComparison.Ordinal))
        {
            // The value is only known in the cluster: check the key exists, with a value of any plausible type.
            if (new[] { "x", "1", "00:00:01", "true" }.All(sample => catalog.Unknown(key, sample) is not null))
            {
                problems.Add($"{from}: {catalog.Unknown(key, "x")}");
            }

            return;
        }

        if (catalog.Unknown(key, value) is { } reason)
        {
            problems.Add($"{from} ({key}): {reason}");
            return;
        }

        settings[key] = value;
    }

    /// <summary>Replaces Kubernetes <c>$(NAME)</c> references in the arguments with the variable's value (a sample for
    /// a field reference) and returns which variables were used.</summary>
    private static (List<string> Args, HashSet<string> Referenced) Expand(
        AppContainer container, Dictionary<string, string> environment, List<string> problems)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var args = container.Args.Select(arg => Reference().Replace(arg, m =>
        {
            var name = m.Groups[1].Value;
            referenced.Add(name);
            if (!environment.TryGetValue(name, out var value))
            {
                problems.Add($"argument '{arg}': $({name}) is not defined in the container's environment");
                return m.Value;
            }

            if (!value.StartsWith(AppContainer.FromReference, StringComparison.Ordinal))
            {
                return value;
            }

            var field = FieldPath().Match(value);
            return field.Success && s_sampleFieldValues.TryGetValue(field.Groups[1].Value, out var sample) ? sample : "sample";
        })).ToList();
        return (args, referenced);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    [GeneratedRegex("fieldRef.fieldPath=([^;]+)")]
    private static partial Regex FieldPath();
}
