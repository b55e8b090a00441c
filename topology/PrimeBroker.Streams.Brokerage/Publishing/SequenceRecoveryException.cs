namespace PrimeBroker.Streams.Brokerage.Publishing;

/// <summary>
/// The trade publisher could not learn every account's last sequence number at start (or when it claims partitions):
/// a record of the trade topic could not be read because the schema registry was unavailable. Numbering on would
/// restart accounts at numbers already used, and the topology would skip their new trades as duplicates, so the
/// publisher does not start. Start again once the registry is reachable.
/// </summary>
public sealed class SequenceRecoveryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SequenceRecoveryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
