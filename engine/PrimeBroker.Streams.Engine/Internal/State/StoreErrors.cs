namespace PrimeBroker.Streams.Engine.Internal.State;

/// <summary>Tells the errors of opening a local store apart, for callers outside the state layer (which alone knows
/// RocksDB's exception type).</summary>
internal static class StoreErrors
{
    /// <summary>Whether <paramref name="error"/> is a store that could not be opened: RocksDB's error (its directory
    /// locked by another owner, a corrupt or unreadable file) or a file system error.</summary>
    public static bool IsOpenFailure(Exception error) => error is RocksDbSharp.RocksDbException or IOException or UnauthorizedAccessException;
}
