namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// Identifies a task: the sub-topology it runs and the input partition it owns. Co-partitioned source topics of one
/// sub-topology share the task of the same partition number.
/// </summary>
/// <param name="SubTopology">The sub-topology's index in the topology (0-based, in the order <see cref="Topology.Describe"/>
/// lists them).</param>
/// <param name="Partition">The input partition number.</param>
public readonly record struct TaskId(int SubTopology, int Partition) : IComparable<TaskId>
{
    /// <summary>Orders by sub-topology, then partition.</summary>
    /// <param name="other">The task id to compare with.</param>
    /// <returns>Negative, zero or positive as this id sorts before, equal to or after <paramref name="other"/>.</returns>
    public int CompareTo(TaskId other) => SubTopology != other.SubTopology ? SubTopology.CompareTo(other.SubTopology) : Partition.CompareTo(other.Partition);

    /// <summary>The id as <c>&lt;subtopology&gt;_&lt;partition&gt;</c>, e.g. <c>0_3</c>, as Kafka Streams writes it;
    /// it also names the task's state directory.</summary>
    /// <returns>The text form, which <see cref="Parse"/> reads back.</returns>
    public override string ToString() => $"{SubTopology}_{Partition}";

    /// <summary>Reads the form <see cref="ToString"/> writes.</summary>
    /// <param name="text">Text of the form <c>&lt;subtopology&gt;_&lt;partition&gt;</c>; must not be null.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="FormatException"><paramref name="text"/> is not of that form.</exception>
    public static TaskId Parse(string text)
    {
        var parts = text.Split('_');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var sub) || !int.TryParse(parts[1], out var partition))
        {
            throw new FormatException($"'{text}' is not a task id of the form <subtopology>_<partition>.");
        }

        return new TaskId(sub, partition);
    }
}
