namespace PrimeBroker.Streams.Engine.Testing;

/// <summary>Where <see cref="TopologyTestDriver.SimulateCrash"/> stops the process.</summary>
public enum CrashPoint
{
    /// <summary>Between two records: the open transaction never commits.</summary>
    WhileProcessing,

    /// <summary>All records and markers delivered, the Kafka commit not yet sent.</summary>
    BeforeKafkaCommit,

    /// <summary>The Kafka transaction committed; the local stores did not apply it.</summary>
    AfterKafkaCommit,

    /// <summary>Changelog records and the markers of the secondary stores the commit wrote delivered; the primary
    /// store's marker not yet sent (where readers see uncommitted records, the restore must drop that attempt).</summary>
    BeforePrimaryMarkers,
}
