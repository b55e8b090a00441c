namespace PrimeBroker.Streams.App.Options;

/// <summary>The trade generator of <c>demo</c> and <c>generate</c> (section <c>Generator</c>).</summary>
internal sealed class GeneratorOptions
{
    internal const string Section = "Generator";

    /// <summary>Trades per second (<c>--rate</c>). Default 15: at that rate an hour of <c>demo</c> keeps the fullest
    /// changelog partition of the embedded cluster at about 60% of its 5 MiB cap (measured, see host/README.md).</summary>
    public double Rate { get; set; } = 15;

    /// <summary>Stop after this long (<c>--duration</c>); null runs until stopped or <see cref="Count"/> is reached.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Stop after this many records (<c>--count</c>); null for no limit.</summary>
    public long? Count { get; set; }

    /// <summary>Accounts trades are spread over (<c>--accounts</c>), named <c>ACC-00001</c>... Default 100.</summary>
    public int Accounts { get; set; } = 100;

    /// <summary>Instruments (<c>--instruments</c>), named <c>INS-0001</c>...; seeded before the first trade. Default 20.</summary>
    public int Instruments { get; set; } = 20;

    /// <summary>Share of trades sent again with the same idempotency key and a fresh sequence number. Default 0.02.</summary>
    public double DuplicateRatio { get; set; } = 0.02;

    /// <summary>Share of trades resent byte for byte (same sequence number), as a producer retry would. Default 0.01.</summary>
    public double ResendRatio { get; set; } = 0.01;

    /// <summary>Share of trades sent after their successor (two swapped sequence numbers). Default 0.01.</summary>
    public double ReorderRatio { get; set; } = 0.01;

    /// <summary>Share of invalid trades (unknown instrument, zero quantity, bad currency). Default 0.005.</summary>
    public double InvalidRatio { get; set; } = 0.005;

    /// <summary>Random seed; the same seed gives the same trades. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>How often a random instrument's price moves. Default every 2 s; zero disables price updates.</summary>
    public TimeSpan PriceUpdateInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Validate()
    {
        if (Rate is <= 0 or > 1_000_000 || double.IsNaN(Rate))
        {
            yield return $"{Section}:{nameof(Rate)} must be above 0 and at most 1000000 trades/s (was {Rate}).";
        }

        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(Duration)} must be positive.";
        }

        if (Count is { } c && c <= 0)
        {
            yield return $"{Section}:{nameof(Count)} must be positive.";
        }

        if (Accounts is < 1 or > 1_000_000)
        {
            yield return $"{Section}:{nameof(Accounts)} must be between 1 and 1000000.";
        }

        if (Instruments is < 1 or > 10_000)
        {
            yield return $"{Section}:{nameof(Instruments)} must be between 1 and 10000.";
        }

        foreach (var (name, value) in new[] { (nameof(DuplicateRatio), DuplicateRatio), (nameof(ResendRatio), ResendRatio), (nameof(ReorderRatio), ReorderRatio), (nameof(InvalidRatio), InvalidRatio) })
        {
            if (value is < 0 or > 0.5 || double.IsNaN(value))
            {
                yield return $"{Section}:{name} must be between 0 and 0.5 (was {value}).";
            }
        }

        if (PriceUpdateInterval < TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(PriceUpdateInterval)} must not be negative.";
        }
    }
}

/// <summary>The <c>demo</c> command (section <c>Demo</c>).</summary>
internal sealed class DemoOptions
{
    internal const string Section = "Demo";

    /// <summary>Brokers of the embedded cluster. Default 3.</summary>
    public int Brokers { get; set; } = 3;

    /// <summary>How often the status line is printed. Default 1 s.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Fill of the fullest changelog partition (0..1 of the embedded cluster's cap) from which the demo warns
    /// that a restore will soon be impossible. Default 0.8.</summary>
    public double HeadroomWarning { get; set; } = 0.8;

    /// <summary>Delete the streams state directory at the end (set by the demo when it made a fresh one itself).</summary>
    public bool DeleteStateDirectory { get; set; }

    public IEnumerable<string> Validate()
    {
        if (Brokers is < 1 or > 32)
        {
            yield return $"{Section}:{nameof(Brokers)} must be between 1 and 32.";
        }

        if (StatusInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:{nameof(StatusInterval)} must be positive.";
        }

        if (HeadroomWarning is <= 0 or > 1)
        {
            yield return $"{Section}:{nameof(HeadroomWarning)} must be above 0 and at most 1.";
        }
    }
}
