namespace PrimeBroker.Streams.Engine.State;

/// <summary>Where a store keeps its committed data on the instance.</summary>
public enum StoreKind
{
    /// <summary>RocksDB under the state directory; survives a restart, so only the changelog tail is restored.</summary>
    Persistent,

    /// <summary>Memory only; rebuilt from the changelog whenever the task starts. For tests and small reference data.</summary>
    InMemory,
}
