using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace PrimeBroker.Streams.App.Dashboard;

/// <summary>The page's files, read once from the assembly's embedded <c>wwwroot/</c> resources. Only these names are
/// served; anything else is 404. Thread-safe (immutable).</summary>
internal sealed class DashboardFiles
{
    private const string ResourcePrefix = "wwwroot/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, byte[]> _files;

    private DashboardFiles(FrozenDictionary<string, byte[]> files) => _files = files;

    /// <summary>Reads every embedded <c>wwwroot/</c> file.</summary>
    /// <exception cref="InvalidOperationException">The page is missing from the assembly (a build defect).</exception>
    internal static DashboardFiles Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[ResourcePrefix.Length..]] = copy.ToArray();
        }

        if (!files.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("The dashboard page (wwwroot/index.html) is not embedded in the assembly.");
        }

        return new DashboardFiles(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The file as a result with its content type, or 404 for an unknown name.</summary>
    internal IResult Serve(string name) =>
        _files.TryGetValue(name, out var bytes) && s_contentTypes.TryGetValue(Path.GetExtension(name), out var type)
            ? Results.Bytes(bytes, type)
            : Results.NotFound();
}
