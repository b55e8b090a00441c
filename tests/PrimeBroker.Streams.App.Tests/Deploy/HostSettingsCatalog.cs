using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>
/// What the host accepts, read from the host itself: every command with its switches (and the configuration key each
/// sets), and every options class with its configuration section. A setting that does not bind to an options property is
/// unknown; one that binds is then validated with the options class's own <c>Validate()</c>.
/// </summary>
internal sealed class HostSettingsCatalog
{
    private HostSettingsCatalog(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, HostSwitch>> commands,
        IReadOnlyDictionary<string, IReadOnlyList<Type>> sections)
    {
        Commands = commands;
        Sections = sections;
    }

    /// <summary>Command name → switch (<c>--name</c>, case-sensitive as the parser is) → the configuration key it sets.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyDictionary<string, HostSwitch>> Commands { get; }

    /// <summary>Configuration section (case-insensitive, as configuration is) → the options classes bound from it.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyList<Type>> Sections { get; }

    /// <summary>The catalog of this build of the host: its command list and the options classes of the host and domain
    /// assemblies (a class is an options class when it declares a string constant <c>Section</c> or <c>SectionName</c>).</summary>
    internal static HostSettingsCatalog FromHost() =>
        new(HostCommands(), OptionsSections(typeof(App.Commands.HostCommandLine).Assembly, typeof(Brokerage.PrimeBrokerTopics).Assembly));

    /// <summary>A catalog from explicit parts (tests of the checker itself).</summary>
    internal static HostSettingsCatalog Of(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, HostSwitch>> commands, params Type[] optionsTypes) =>
        new(commands, OptionsSections(optionsTypes));

    private static Dictionary<string, IReadOnlyDictionary<string, HostSwitch>> HostCommands() =>
        App.Commands.HostCommandLine.Commands.ToDictionary(
            c => c.Name,
            c => (IReadOnlyDictionary<string, HostSwitch>)c.Switches.ToDictionary(
                s => s.Name, s => new HostSwitch(s.ConfigurationKey, s.IsFlag), StringComparer.Ordinal),
            StringComparer.Ordinal);

    private static Dictionary<string, IReadOnlyList<Type>> OptionsSections(params Assembly[] assemblies) =>
        OptionsSections(assemblies.SelectMany(a => a.GetTypes()).ToArray());

    private static Dictionary<string, IReadOnlyList<Type>> OptionsSections(Type[] types) =>
        types
            .Select(t => (Type: t, Section: SectionOf(t)))
            .Where(x => x.Section is not null && !x.Type.IsAbstract)
            .GroupBy(x => x.Section!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Type>)g.Select(x => x.Type).ToList(), StringComparer.OrdinalIgnoreCase);

    private static string? SectionOf(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(f => f is { IsLiteral: true, Name: "Section" or "SectionName" } && f.FieldType == typeof(string))
            .Select(f => (string?)f.GetRawConstantValue())
            .FirstOrDefault();

    /// <summary>Whether configuration key <paramref name="key"/> (<c>Section:Property[:Sub...]</c>) with
    /// <paramref name="value"/> binds to a property of an options class of its section; the reason when it does not.</summary>
    internal string? Unknown(string key, string value)
    {
        var section = key.Split(':', 2)[0];
        if (!Sections.TryGetValue(section, out var types))
        {
            return $"no options section '{section}' (known: {string.Join(", ", Sections.Keys.Order())})";
        }

        var reasons = new List<string>();
        foreach (var type in types)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection([new KeyValuePair<string, string?>(key, value)]).Build();
            try
            {
                // ErrorOnUnknownConfiguration: a key without a matching property throws instead of being ignored, and a
                // value that does not convert to the property's type throws too.
                configuration.GetSection(section).Get(type, o => o.ErrorOnUnknownConfiguration = true);
                return null;
            }
            catch (InvalidOperationException e)
            {
                reasons.Add($"{type.Name}: {e.Message}");
            }
        }

        return string.Join("; ", reasons);
    }

    /// <summary>The problems the options classes' own validation finds with <paramref name="settings"/> bound over their
    /// defaults (sections not mentioned in <paramref name="settings"/> are skipped).</summary>
    internal IEnumerable<string> Invalid(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build();
        var mentioned = settings.Keys.Select(k => k.Split(':', 2)[0]).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var section in mentioned.Where(Sections.ContainsKey))
        {
            foreach (var type in Sections[section])
            {
                var options = Activator.CreateInstance(type, nonPublic: true)!;
                try
                {
                    configuration.GetSection(section).Bind(options);
                }
                catch (InvalidOperationException)
                {
                    continue; // reported by Unknown()
                }

                // Options classes validate either by returning their problems or by throwing with all of them.
                var validate = type.GetMethod("Validate", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes);
                object? result;
                string? thrown = null;
                try
                {
                    result = validate?.Invoke(options, null);
                }
                catch (TargetInvocationException e)
                {
                    result = null;
                    thrown = e.InnerException?.Message ?? e.Message;
                }

                if (thrown is not null)
                {
                    yield return $"{type.Name}: {thrown}";
                }

                foreach (var error in (result as IEnumerable)?.Cast<object>() ?? [])
                {
                    yield return $"{type.Name}: {error}";
                }
            }
        }
    }
}

/// <summary>A command-line switch: the configuration key it sets, and whether it takes no value (a flag sets <c>true</c>).</summary>
internal sealed record HostSwitch(string ConfigurationKey, bool IsFlag);
