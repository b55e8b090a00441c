namespace PrimeBroker.Streams.Brokerage;

/// <summary>
/// An internal invariant of the prime broker is broken (a ledger entry that would not balance, position arithmetic
/// overflow, a held event older than the input's retention, a store entry that fails its checks when read). Rule 9: the
/// task stops without committing past the record; never caught to skip the record. Configure the engine's processing
/// exception handler to fail (its default), never to dead-letter these.
/// </summary>
public sealed class BrokerageInvariantException : Exception
{
    /// <summary>Creates the exception with a readable description of the broken invariant.</summary>
    public BrokerageInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a readable description and the error that revealed it.</summary>
    public BrokerageInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
