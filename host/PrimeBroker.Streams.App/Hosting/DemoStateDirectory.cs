using System.Diagnostics;
using System.Globalization;

namespace PrimeBroker.Streams.App.Hosting;

/// <summary>
/// The demo's own state directories: a fresh one per run under <c>&lt;temp&gt;/primebroker-demo/</c>, named
/// <c>&lt;process id&gt;-&lt;random&gt;</c>, deleted when the demo stops.
/// </summary>
/// <remarks>
/// Deleting one takes seconds: every RocksDB store preallocates its write-ahead log (about 70 MB each, some 9 GB of
/// allocated disk for the demo's ~130 stores although they hold a few MB; measured with <c>du</c> against
/// <c>du --apparent-size</c> on a running demo), and freeing that much disk took 3 to 7 s on a loaded machine. So the
/// demo deletes its directory within the shutdown deadline (<see cref="ShutdownDeadline"/>), and each demo start
/// removes what earlier demos left: those stopped at the deadline, and those killed without a chance to clean up.
/// </remarks>
internal static class DemoStateDirectory
{
    /// <summary>The folder under the temporary directory that holds the demos' state directories.</summary>
    internal static string Root { get; } = Path.Combine(Path.GetTempPath(), "primebroker-demo");

    /// <summary>A new state directory for this process under <paramref name="root"/> (not created).</summary>
    internal static string NewPath(string root) => Path.Combine(root, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);

    /// <summary>Deletes <paramref name="path"/> (if it exists) on a thread-pool thread, waiting at most until
    /// <paramref name="deadline"/>.</summary>
    /// <param name="path">The directory.</param>
    /// <param name="deadline">The host's shutdown token.</param>
    /// <param name="delete">Deletes a directory tree; <see cref="DeleteTree"/> unless a test passes another.</param>
    /// <returns>True when the directory is gone; false when the deadline came first (the deletion goes on until the
    /// process exits; the next demo removes the rest).</returns>
    internal static Task<bool> DeleteAsync(string path, CancellationToken deadline, Action<string>? delete = null) =>
        ShutdownDeadline.WithinAsync(Task.Run(() => (delete ?? DeleteTree)(path), CancellationToken.None), deadline);

    /// <summary>Deletes the directories under <paramref name="root"/> that a demo process made (<c>&lt;pid&gt;-...</c>)
    /// and that no running process owns any more; a directory that cannot be deleted now is left for the next time.</summary>
    /// <param name="root">Usually <see cref="Root"/>.</param>
    /// <param name="isRunning">Whether a process with that id runs; <see cref="IsRunning"/> unless a test passes another.</param>
    /// <returns>The directories deleted.</returns>
    internal static IReadOnlyList<string> RemoveLeftovers(string root, Func<int, bool>? isRunning = null)
    {
        var deleted = new List<string>();
        if (!Directory.Exists(root))
        {
            return deleted;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
                pid == Environment.ProcessId || (isRunning ?? IsRunning)(pid))
            {
                continue;
            }

            try
            {
                DeleteTree(directory);
                deleted.Add(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use or not ours to delete: left alone.
            }
        }

        return deleted;
    }

    private static void DeleteTree(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
