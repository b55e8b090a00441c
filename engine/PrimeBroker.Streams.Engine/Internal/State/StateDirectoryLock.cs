namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>
/// An exclusive lock on an application's state directory (<c>&lt;state.dir&gt;/&lt;application.id&gt;/.lock</c>), held
/// while the application runs. Two instances on one directory would share their stores and their transactional ids
/// and fence each other forever; the second now fails at start with the reason. The lock is the operating system's
/// (a file opened with <see cref="FileShare.None"/>, flock on Linux), so a killed process releases it.
/// </summary>
internal sealed class StateDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private StateDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="InvalidOperationException">Another instance (in this or another process) holds the directory.</exception>
    public static StateDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ".lock");
        try
        {
            return new StateDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The state directory '{directory}' is in use by another instance of this application (lock file '{path}'). " +
                "Each instance needs its own StreamsConfig.StateDirectory: instances sharing one would share stores and " +
                "transactional ids and fence each other.", ex);
        }
    }

    public void Dispose() => _file.Dispose();
}
