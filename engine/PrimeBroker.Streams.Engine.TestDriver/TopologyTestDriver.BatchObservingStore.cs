using PrimeBroker.Streams.Engine.Internal.State;


namespace PrimeBroker.Streams.Engine.Testing;

// The store wrapper the driver opens for every task store: it records restore batch sizes and can fail a restore.
public sealed partial class TopologyTestDriver
{
    /// <summary>Records the size of each batch a restore applies (<see cref="RestoreBatches"/>).</summary>
    private sealed class BatchObservingStore(IBytesStore inner, TopologyTestDriver driver) : IBytesStore
    {
        public string Name => inner.Name;

        public LocalCheckpoint? Checkpoint => inner.Checkpoint;

        public long ApproximateCount => inner.ApproximateCount;

        public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writes, LocalCheckpoint checkpoint)
        {
            var batch = writes as IReadOnlyCollection<KeyValuePair<byte[], byte[]?>> ?? writes.ToList();
            if (driver._restoring)
            {
                if (driver.RestoreBatches.Count >= driver.FailRestoreAfterBatches)
                {
                    throw new IOException($"Simulated crash during a restore, after {driver.RestoreBatches.Count} batches.");
                }

                driver.RestoreBatches.Add(batch.Count);
            }

            inner.Apply(batch, checkpoint);
        }

        public void Wipe() => inner.Wipe();

        public byte[]? Get(byte[] key) => inner.Get(key);

        public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to) => inner.Range(from, to);

        public void Dispose() => inner.Dispose();
    }
}
