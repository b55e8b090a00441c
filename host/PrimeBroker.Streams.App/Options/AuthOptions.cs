namespace PrimeBroker.Streams.App.Options;

/// <summary>When the API's write endpoints require authentication.</summary>
public enum WriteAuthentication
{
    /// <summary>Required whenever the HTTP server binds beyond loopback (<see cref="HttpOptions.Urls"/>); open on
    /// 127.0.0.1 / ::1 / localhost, where only this machine reaches it (the demo stays one command).</summary>
    Auto,

    /// <summary>Always required.</summary>
    Required,

    /// <summary>Never required, even beyond loopback: only behind a gateway that authenticates for it.</summary>
    Off,
}

/// <summary>Authentication of the API's writes (section <c>Auth</c>): API keys sent as the <c>X-Api-Key</c> header (or
/// <c>Authorization: ApiKey &lt;key&gt;</c>). Keys are secrets: set them through the environment
/// (<c>Auth__ApiKeys__desk=...</c>).</summary>
internal sealed class AuthOptions
{
    internal const string Section = "Auth";

    /// <summary>When writes need a key. Default <see cref="WriteAuthentication.Auto"/>.</summary>
    public WriteAuthentication Writes { get; set; } = WriteAuthentication.Auto;

    /// <summary>Keys that may write (POST /trades, /dlq/redrive, /accounts/{id}/gaps/resolve, PUT /instruments/{id}), by
    /// the name logged for their caller.</summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Keys that authenticate but may not write (a write with one is 403).</summary>
    public Dictionary<string, string> ReadOnlyApiKeys { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<string> Validate()
    {
        foreach (var (name, key) in ApiKeys.Concat(ReadOnlyApiKeys).Where(k => string.IsNullOrEmpty(k.Value) || k.Value.Length < 16))
        {
            yield return $"{Section}: the API key '{name}' must have at least 16 characters.";
        }

        var all = ApiKeys.Values.Concat(ReadOnlyApiKeys.Values).ToList();
        if (all.Distinct(StringComparer.Ordinal).Count() != all.Count)
        {
            yield return $"{Section}: two API keys have the same value.";
        }
    }

    /// <summary>Whether writes need a key, given where the server listens.</summary>
    internal bool WritesRequireKey(HttpOptions http) => Writes switch
    {
        WriteAuthentication.Required => true,
        WriteAuthentication.Off => false,
        _ => http.ListenUrls().Any(u => !IsLoopback(u.Host)),
    };

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
}
