using System.Text;
using RocksDbSharp;

namespace PrimeBroker.Streams.Engine.Internal.State;

// The store view: one column family of the database, and the store's checkpoint in the meta family.
internal sealed partial class StateDatabase
{
    /// <summary>
    /// One store of a <see cref="StateDatabase"/>: its column family as an <see cref="IBytesStore"/>. Writes go through
    /// the database (<see cref="Apply"/> is a one-store <see cref="StateDatabase.Write"/>); <see cref="Wipe"/> empties
    /// this family and deletes this checkpoint only; <see cref="Dispose"/> closes the whole database.
    /// </summary>
    internal sealed class ColumnFamilyStore : IBytesStore
    {
        private readonly StateDatabase _database;
        private readonly HashSet<Snapshot> _snapshots = new();
        private LocalCheckpoint? _checkpoint;

        internal ColumnFamilyStore(StateDatabase database, string name, string familyName, ColumnFamilyHandle family)
        {
            _database = database;
            Name = name;
            FamilyName = familyName;
            Family = family;
            CheckpointKey = Encoding.UTF8.GetBytes(name);
        }

        public string Name { get; }

        public LocalCheckpoint? Checkpoint => Volatile.Read(ref _checkpoint);

        public long ApproximateCount =>
            _database.Read(this, () => long.TryParse(_database._db.GetProperty("rocksdb.estimate-num-keys", Family), out var n) ? n : 0);

        /// <summary>Entries per locked page of <see cref="Range"/>.</summary>
        internal int PageSize { get; set; } = 1024;

        /// <summary>Test hook: runs between two pages of <see cref="Range"/>, with the lock released.</summary>
        internal Action? BetweenPages { get; set; }

        internal string FamilyName { get; }

        /// <summary>Replaced by a wipe, under the database's write lock.</summary>
        internal ColumnFamilyHandle Family { get; set; }

        internal byte[] CheckpointKey { get; }

        public byte[]? Get(byte[] key) => _database.Read(this, () => _database._db.Get(key, Family));

        /// <summary>
        /// Entries with from &lt;= key &lt; to, read in pages of <see cref="PageSize"/> over one RocksDB snapshot. The
        /// lifecycle lock is held per page only, so a closing task (<see cref="Dispose"/>, on the stream thread inside a
        /// rebalance) never waits for a whole-store copy; a read that loses its store between pages (closed, or this
        /// store wiped) throws <see cref="ObjectDisposedException"/>. The snapshot keeps the pages one consistent commit.
        /// </summary>
        public IReadOnlyList<KeyValuePair<byte[], byte[]>> Range(byte[]? from, byte[]? to)
        {
            var result = new List<KeyValuePair<byte[], byte[]>>();
            // Most ranges fit in one page (the topology's expiry scans are mostly empty): one iterator is a consistent
            // view by itself, so such a range needs no snapshot (creating and releasing one takes the database's mutex
            // twice). A range longer than a page starts over with a snapshot.
            if (_database.Read(this, () => ReadPage(null, from, to, result) is null))
            {
                return result;
            }

            result.Clear();
            Snapshot? snapshot = null;
            var next = from;
            try
            {
                while (true)
                {
                    var more = _database.Read(this, () =>
                    {
                        if (snapshot is not null && !Tracked(snapshot))
                        {
                            throw new ObjectDisposedException($"store '{Name}' in {_database.Directory}", "the store was wiped during the read (a restore from scratch)");
                        }

                        snapshot ??= TakeSnapshot();
                        next = ReadPage(snapshot, next, to, result);
                        return next is not null;
                    });
                    if (!more)
                    {
                        return result;
                    }

                    BetweenPages?.Invoke();
                }
            }
            finally
            {
                if (snapshot is not null)
                {
                    ReleaseSnapshot(snapshot);
                }
            }
        }

        /// <summary>Under the read lock: appends up to <see cref="PageSize"/> entries from <paramref name="from"/>
        /// (null: the first key) below <paramref name="to"/>; returns the next key, or null when the range ended.</summary>
        private byte[]? ReadPage(Snapshot? snapshot, byte[]? from, byte[]? to, List<KeyValuePair<byte[], byte[]>> result)
        {
            var readOptions = new ReadOptions();
            if (snapshot is not null)
            {
                readOptions.SetSnapshot(snapshot);
            }

            if (to is not null)
            {
                readOptions.SetIterateUpperBound(to);
            }

            using var it = _database._db.NewIterator(Family, readOptions);
            if (from is null) { it.SeekToFirst(); }
            else { it.Seek(from); }

            for (var n = 0; it.Valid() && n < PageSize; it.Next(), n++)
            {
                result.Add(new(it.Key(), it.Value()));
            }

            return it.Valid() ? it.Key() : null;
        }

        public void Apply(IEnumerable<KeyValuePair<byte[], byte[]?>> writes, LocalCheckpoint checkpoint) =>
            _database.Write([new StoreWrite(Name, writes, checkpoint)]);

        public void Wipe() => _database.Wipe(this);

        /// <summary>Closes the whole database: the stores of a task open and close together.</summary>
        public void Dispose() => _database.Dispose();

        internal void Committed(LocalCheckpoint? checkpoint) => Volatile.Write(ref _checkpoint, checkpoint);

        /// <summary>Under the database's write lock, before a wipe or close: readers between two pages then fail.</summary>
        internal void ReleaseSnapshots()
        {
            lock (_snapshots)
            {
                foreach (var snapshot in _snapshots)
                {
                    snapshot.Dispose();
                }

                _snapshots.Clear();
            }
        }

        /// <summary>Under the read lock: a snapshot that a close or a wipe of this store releases, if the reader has not
        /// released it by then.</summary>
        private Snapshot TakeSnapshot()
        {
            var snapshot = _database._db.CreateSnapshot();
            lock (_snapshots)
            {
                _snapshots.Add(snapshot);
            }

            return snapshot;
        }

        private bool Tracked(Snapshot snapshot)
        {
            lock (_snapshots)
            {
                return _snapshots.Contains(snapshot);
            }
        }

        private void ReleaseSnapshot(Snapshot snapshot)
        {
            _database._lifecycle.EnterReadLock();
            try
            {
                lock (_snapshots)
                {
                    // Gone when a close or wipe released it already.
                    if (_snapshots.Remove(snapshot))
                    {
                        snapshot.Dispose();
                    }
                }
            }
            finally { _database._lifecycle.ExitReadLock(); }
        }
    }
}
