namespace PrimeBroker.Streams.Engine.Processing;

/// <summary>
/// Identifies a task: the sub-topology it runs and the input partition it owns. Co-partitioned source topics of one
/// sub-topology share the task of the same partition number.
/// </summary>
public readonly record struct TaskId(int SubTopology, int Partition) : IComparable<TaskId>
{
    public int CompareTo(TaskId other) => SubTopology != other.SubTopology ? SubTopology.CompareTo(other.SubTopology) : Partition.CompareTo(other.Partition);

    public override string ToString() => $"{SubTopology}_{Partition}";

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
