using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Serialization.Embedded.Internal;

/// <summary>
/// The registry's state: schemas by global id, subjects as lists of versions, compatibility levels. Thread-safe (one
/// lock; the registry serves development and tests, not production traffic). Errors are thrown as <see cref="RegistryError"/>.
/// </summary>
/// <remarks>
/// Schema identity is the schema as Apache.Avro prints it after parsing (whitespace and key order do not matter, docs
/// and defaults do). The same schema under any subject gets the same global id; registering a subject's existing schema
/// again returns its id without a new version.
/// </remarks>
internal sealed class InMemorySchemaStore
{
    private readonly object _gate = new();
    private readonly List<StoredSchema> _schemasById = new() { null! }; // ids start at 1
    private readonly Dictionary<string, int> _idsByCanonical = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _versionsBySubject = new(StringComparer.Ordinal); // version n at index n-1 holds the schema id
    private readonly Dictionary<string, Compatibility> _compatibilityBySubject = new(StringComparer.Ordinal);
    private Compatibility _globalCompatibility;

    public InMemorySchemaStore(Compatibility globalCompatibility) => _globalCompatibility = globalCompatibility;

    public sealed record StoredSchema(int Id, string Text, Avro.Schema Parsed);

    public sealed record SubjectVersion(string Subject, int Version, int Id, string Schema);

    public int Register(string subject, string schemaText)
    {
        Avro.Schema parsed = Parse(schemaText);
        string canonical = parsed.ToString();
        lock (_gate)
        {
            List<int>? versions = _versionsBySubject.GetValueOrDefault(subject);
            if (versions is not null && _idsByCanonical.TryGetValue(canonical, out int known) && versions.Contains(known))
            {
                return known;
            }

            IReadOnlyList<string> reasons = CheckLocked(subject, parsed, versions ?? [], EffectiveLevelLocked(subject));
            if (reasons.Count > 0)
            {
                throw RegistryError.Incompatible(subject, reasons);
            }

            if (!_idsByCanonical.TryGetValue(canonical, out int id))
            {
                id = _schemasById.Count;
                _schemasById.Add(new StoredSchema(id, schemaText, parsed));
                _idsByCanonical.Add(canonical, id);
            }

            if (versions is null)
            {
                versions = new List<int>();
                _versionsBySubject.Add(subject, versions);
            }

            versions.Add(id);
            return id;
        }
    }

    public SubjectVersion Lookup(string subject, string schemaText)
    {
        string canonical = Parse(schemaText).ToString();
        lock (_gate)
        {
            List<int> versions = VersionsLocked(subject);
            int index = _idsByCanonical.TryGetValue(canonical, out int id) ? versions.IndexOf(id) : -1;
            if (index < 0)
            {
                throw RegistryError.SchemaNotFound($"not registered under subject '{subject}'.");
            }

            return new SubjectVersion(subject, index + 1, id, _schemasById[id].Text);
        }
    }

    public StoredSchema GetById(int id)
    {
        lock (_gate)
        {
            return id > 0 && id < _schemasById.Count ? _schemasById[id] : throw RegistryError.SchemaNotFound($"id {id}.");
        }
    }

    public IReadOnlyList<string> Subjects()
    {
        lock (_gate)
        {
            return _versionsBySubject.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    public IReadOnlyList<int> Versions(string subject)
    {
        lock (_gate)
        {
            return Enumerable.Range(1, VersionsLocked(subject).Count).ToList();
        }
    }

    /// <param name="version">A version number, or null for the latest.</param>
    public SubjectVersion GetVersion(string subject, int? version)
    {
        lock (_gate)
        {
            List<int> versions = VersionsLocked(subject);
            int number = version ?? versions.Count;
            if (number < 1 || number > versions.Count)
            {
                throw RegistryError.VersionNotFound(subject, number);
            }

            int id = versions[number - 1];
            return new SubjectVersion(subject, number, id, _schemasById[id].Text);
        }
    }

    /// <summary>
    /// Whether <paramref name="schemaText"/> could be registered: checked under the subject's level against the given
    /// version only (or the latest when null), like the registry's compatibility resource.
    /// </summary>
    public IReadOnlyList<string> CheckCompatibility(string subject, int? version, string schemaText)
    {
        Avro.Schema candidate = Parse(schemaText);
        lock (_gate)
        {
            SubjectVersion against = GetVersion(subject, version);
            Compatibility level = EffectiveLevelLocked(subject);
            return CheckLocked(subject, candidate, [against.Id], IsTransitiveFree(level));
        }
    }

    public Compatibility GetCompatibility(string? subject)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                return _globalCompatibility;
            }

            return _compatibilityBySubject.TryGetValue(subject, out Compatibility level)
                ? level
                : throw RegistryError.SubjectCompatibilityNotConfigured(subject);
        }
    }

    public void SetCompatibility(string? subject, Compatibility level)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                _globalCompatibility = level;
            }
            else
            {
                _compatibilityBySubject[subject] = level;
            }
        }
    }

    private static Compatibility IsTransitiveFree(Compatibility level) => level switch
    {
        Compatibility.BackwardTransitive => Compatibility.Backward,
        Compatibility.ForwardTransitive => Compatibility.Forward,
        Compatibility.FullTransitive => Compatibility.Full,
        _ => level,
    };

    private Compatibility EffectiveLevelLocked(string subject) =>
        _compatibilityBySubject.TryGetValue(subject, out Compatibility level) ? level : _globalCompatibility;

    private IReadOnlyList<string> CheckLocked(string subject, Avro.Schema candidate, IReadOnlyList<int> existingIds, Compatibility level)
    {
        if (level == Compatibility.None || existingIds.Count == 0)
        {
            return [];
        }

        IEnumerable<int> against = CompatibilityLevels.IsTransitive(level) ? existingIds : [existingIds[^1]];
        var reasons = new List<string>();
        foreach (int id in against.Distinct())
        {
            Avro.Schema existing = _schemasById[id].Parsed;
            int version = _versionsBySubject.TryGetValue(subject, out List<int>? versions) ? versions.LastIndexOf(id) + 1 : 0;
            string label = version > 0 ? $"version {version}" : $"schema id {id}";
            if (CompatibilityLevels.ChecksBackward(level))
            {
                reasons.AddRange(AvroCompatibility.CanRead(candidate, existing).Select(r => $"BACKWARD against {label}: new schema cannot read old data at {r}"));
            }

            if (CompatibilityLevels.ChecksForward(level))
            {
                reasons.AddRange(AvroCompatibility.CanRead(existing, candidate).Select(r => $"FORWARD against {label}: old schema cannot read new data at {r}"));
            }
        }

        return reasons;
    }

    private List<int> VersionsLocked(string subject) =>
        _versionsBySubject.TryGetValue(subject, out List<int>? versions) ? versions : throw RegistryError.SubjectNotFound(subject);

    private static Avro.Schema Parse(string? schemaText)
    {
        if (string.IsNullOrWhiteSpace(schemaText))
        {
            throw RegistryError.InvalidSchema("the request has no schema.");
        }

        try
        {
            return Avro.Schema.Parse(schemaText);
        }
        catch (Exception e) when (e is Avro.AvroException or Newtonsoft.Json.JsonException)
        {
            throw RegistryError.InvalidSchema(e.Message);
        }
    }
}
