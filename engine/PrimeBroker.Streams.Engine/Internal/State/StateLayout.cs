namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// The on-disk layout of an application's state directory, <c>&lt;state.dir&gt;/&lt;application.id&gt;/</c>: one
/// <see cref="StateDatabase"/> per task directory (<c>0_3/</c>) and one for the global stores (<c>global/</c>).
/// Earlier versions kept one RocksDB database per store (<c>0_3/&lt;store&gt;/</c>); such directories are deleted, not
/// converted: local state is a cache of the changelogs, and the task restores it from them.
/// </summary>
internal static class StateLayout
{
    /// <summary>Whether <paramref name="directory"/> holds stores in the per-store layout: no database of its own, and
    /// a database in a subdirectory.</summary>
    public static bool IsPerStoreLayout(string directory) =>
        Directory.Exists(directory)
        && !File.Exists(Path.Combine(directory, "CURRENT"))
        && Directory.EnumerateDirectories(directory).Any(d => File.Exists(Path.Combine(d, "CURRENT")));

    /// <summary>Deletes every task (and global) directory of <paramref name="applicationDirectory"/> that is in the
    /// per-store layout. Call with the state directory locked.</summary>
    /// <returns>The names of the deleted directories (task ids, or <c>global</c>).</returns>
    public static IReadOnlyList<string> DiscardPerStoreLayout(string applicationDirectory)
    {
        if (!Directory.Exists(applicationDirectory))
        {
            return [];
        }

        var discarded = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(applicationDirectory).Where(IsPerStoreLayout).ToList())
        {
            Directory.Delete(directory, recursive: true);
            discarded.Add(Path.GetFileName(directory));
        }

        discarded.Sort(StringComparer.Ordinal);
        return discarded;
    }
}
