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
}
