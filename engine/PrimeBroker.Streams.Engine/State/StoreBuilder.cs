namespace PrimeBroker.Streams.Engine.State;

/// <summary>Describes a key-value store to attach to a topology (<c>StreamsBuilder.AddStateStore</c>).</summary>
/// <param name="Name">Unique within the topology; also names the changelog topic <c>&lt;application.id&gt;-&lt;name&gt;-changelog</c>.</param>
/// <param name="Kind">Persistent (RocksDB) or in-memory.</param>
/// <param name="LoggingEnabled">Whether the store has a changelog. Without one the store cannot be restored on another
/// instance and is not exactly-once across handover: only for caches that can be rebuilt.</param>
public abstract record StoreBuilder(string Name, StoreKind Kind, bool LoggingEnabled);
