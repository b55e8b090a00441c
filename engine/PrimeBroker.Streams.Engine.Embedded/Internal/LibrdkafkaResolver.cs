using System.Reflection;
using System.Runtime.InteropServices;

namespace PrimeBroker.Streams.Engine.Embedded.Internal;

/// <summary>
/// Resolves the <c>librdkafka</c> imports of this assembly to the very library instance Confluent.Kafka has loaded, so the
/// mock cluster lives in the same librdkafka as the clients of this process.
/// </summary>
/// <remarks>
/// Order of resolution:
/// <list type="number">
/// <item>Make Confluent.Kafka load its native library (<see cref="Confluent.Kafka.Library.Version"/>).</item>
/// <item>On Linux, read <c>/proc/self/maps</c> for the mapped file whose name ends with <c>librdkafka.so</c> and load that
/// path: a second <c>dlopen</c> of the same path returns the same handle.</item>
/// <item>Otherwise load <c>centos8-librdkafka.so</c>, then <c>librdkafka.so</c>, from
/// <c>AppContext.BaseDirectory/runtimes/linux-x64/native/</c>. The package's default <c>librdkafka.so</c> needs
/// <c>libsasl2.so.3</c>, which Debian 12 lacks; the centos8 build beside it does not.</item>
/// <item>Anything else falls back to the runtime's default probing.</item>
/// </list>
/// <c>Confluent.Kafka.Library.Load(path)</c> is not used: it dlopens <c>libdl.so</c>, which Debian only ships as
/// <c>libdl.so.2</c>.
/// </remarks>
internal static class LibrdkafkaResolver
{
    internal const string LibraryName = "librdkafka";

    private static readonly Lock s_lock = new();
    private static bool s_registered;
    private static IntPtr s_handle;

    /// <summary>The path of the library the imports were bound to; null until the first import call.</summary>
    internal static string? LoadedPath { get; private set; }

    /// <summary>Registers the resolver once per process; safe to call from several threads.</summary>
    internal static void EnsureRegistered()
    {
        lock (s_lock)
        {
            if (s_registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaResolver).Assembly, Resolve);
            s_registered = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return IntPtr.Zero;
        }

        lock (s_lock)
        {
            if (s_handle != IntPtr.Zero)
            {
                return s_handle;
            }

            // Forces Confluent.Kafka to pick and load its native library first.
            _ = Confluent.Kafka.Library.Version;

            foreach (var candidate in Candidates())
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    s_handle = handle;
                    LoadedPath = candidate;
                    return handle;
                }
            }

            return IntPtr.Zero;
        }
    }

    private static IEnumerable<string> Candidates()
    {
        if (!OperatingSystem.IsLinux())
        {
            yield break;
        }

        var mapped = FindMappedLibrdkafka();
        if (mapped is not null)
        {
            yield return mapped;
        }

        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        yield return Path.Combine(native, "centos8-librdkafka.so");
        yield return Path.Combine(native, "librdkafka.so");
    }

    /// <summary>The path of the librdkafka already mapped into this process, or null.</summary>
    internal static string? FindMappedLibrdkafka()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        foreach (var line in File.ReadLines(maps))
        {
            // Format: address perms offset dev inode pathname; the path is the last field and starts with '/'.
            var slash = line.IndexOf('/');
            if (slash < 0)
            {
                continue;
            }

            var path = line[slash..].Trim();
            if (Path.GetFileName(path).EndsWith("librdkafka.so", StringComparison.Ordinal))
            {
                return path;
            }
        }

        return null;
    }
}
