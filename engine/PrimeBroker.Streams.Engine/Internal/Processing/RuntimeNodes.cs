using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Processing;

namespace PrimeBroker.Streams.Engine.Internal.Processing;

/// <summary>A node instance inside one task.</summary>
internal abstract class RuntimeNode
{
    public string Name { get; set; } = "";

    public RuntimeNode[] Children { get; set; } = [];

    public StreamTask Task { get; private set; } = null!;

    public virtual void Init(StreamTask task) => Task = task;

    public virtual void Close()
    {
    }
}

/// <summary>A node that receives typed records.</summary>
internal abstract class RuntimeNode<TKey, TValue> : RuntimeNode
{
    public abstract void Process(Record<TKey, TValue> record);
}

/// <summary>Entry point of raw records into a task.</summary>
internal interface ISourceNode
{
    /// <summary>Deserializes and forwards to the children; a record that cannot be deserialized goes to the task's
    /// deserialization handler instead, which either skips it or fails the task.</summary>
    void ProcessRaw(ConsumeResult<byte[], byte[]> raw);
}

internal sealed class SourceNode<TKey, TValue> : RuntimeNode, ISourceNode
{
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;

    public SourceNode(Serde<TKey> keySerde, Serde<TValue> valueSerde)
    {
        _keySerde = keySerde;
        _valueSerde = valueSerde;
    }

    public void ProcessRaw(ConsumeResult<byte[], byte[]> raw)
    {
        TKey key;
        TValue value;
        try
        {
            var headers = raw.Message.Headers;
            key = _keySerde.Deserializer.Deserialize(raw.Message.Key, raw.Message.Key is null, new SerializationContext(MessageComponentType.Key, raw.Topic, headers));
            value = _valueSerde.Deserializer.Deserialize(raw.Message.Value, raw.Message.Value is null, new SerializationContext(MessageComponentType.Value, raw.Topic, headers));
        }
        catch (Exception ex)
        {
            Task.HandleDeserializationError(raw, ex);
            return;
        }

        var record = new Record<TKey, TValue>(key, value, raw.Message.Timestamp.UnixTimestampMs, raw.Message.Headers);
        foreach (var child in Children)
        {
            ((RuntimeNode<TKey, TValue>)child).Process(record);
        }
    }
}

internal sealed class ProcessorNode<TKeyIn, TValueIn, TKeyOut, TValueOut> : RuntimeNode<TKeyIn, TValueIn>
{
    private readonly IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> _processor;
    private readonly IReadOnlyList<string> _storeNames;

    public ProcessorNode(IProcessor<TKeyIn, TValueIn, TKeyOut, TValueOut> processor, IReadOnlyList<string> storeNames)
    {
        _processor = processor;
        _storeNames = storeNames;
    }

    public override void Init(StreamTask task)
    {
        base.Init(task);
        _processor.Init(new ProcessorContextImpl<TKeyOut, TValueOut>(task, this, _storeNames));
    }

    public override void Process(Record<TKeyIn, TValueIn> record)
    {
        try
        {
            _processor.Process(record);
        }
        catch (Exception ex) when (ex is not ProcessorFailure and not Errors.TaskFailedException and not Confluent.Kafka.KafkaException)
        {
            // Tag the error with the innermost processor that threw, for the processing exception handler.
            throw new ProcessorFailure(Name, ex);
        }
    }

    public override void Close() => _processor.Close();
}

internal sealed class SinkNode<TKey, TValue> : RuntimeNode<TKey, TValue>
{
    private readonly string _topic;
    private readonly Serde<TKey> _keySerde;
    private readonly Serde<TValue> _valueSerde;
    private readonly Dsl.StreamPartitioner<TKey, TValue>? _partitioner;
    private string _resolvedTopic = "";

    public SinkNode(string topic, bool internalTopic, Serde<TKey> keySerde, Serde<TValue> valueSerde, Dsl.StreamPartitioner<TKey, TValue>? partitioner)
    {
        _topic = topic;
        IsInternalTopic = internalTopic;
        _keySerde = keySerde;
        _valueSerde = valueSerde;
        _partitioner = partitioner;
    }

    public bool IsInternalTopic { get; }

    public override void Init(StreamTask task)
    {
        base.Init(task);
        _resolvedTopic = IsInternalTopic ? InternalTopics.Name(task.ApplicationId, _topic) : _topic;
    }

    public override void Process(Record<TKey, TValue> record)
    {
        byte[]? key;
        byte[]? value;
        try
        {
            key = record.Key is null ? null : _keySerde.Serializer.Serialize(record.Key, new SerializationContext(MessageComponentType.Key, _resolvedTopic, record.Headers));
            value = record.Value is null ? null : _valueSerde.Serializer.Serialize(record.Value, new SerializationContext(MessageComponentType.Value, _resolvedTopic, record.Headers));
        }
        catch (Exception ex)
        {
            Task.HandleProductionError(_resolvedTopic, ex);
            return;
        }

        int? partition = null;
        if (_partitioner is not null)
        {
            partition = _partitioner(_resolvedTopic, record.Key, record.Value, Task.Collector.PartitionCount(_resolvedTopic));
        }

        Task.Collector.Send(_resolvedTopic, partition, key, value, record.Headers, record.Timestamp);
    }
}

internal static class InternalTopics
{
    public static string Name(string applicationId, string logicalName) => $"{applicationId}-{logicalName}";

    public static string Changelog(string applicationId, string storeName) => $"{applicationId}-{storeName}-changelog";
}

/// <summary>A processor threw; carries its name to the task's processing exception handler.</summary>
internal sealed class ProcessorFailure(string processorName, Exception inner) : Exception(inner.Message, inner)
{
    public string ProcessorName { get; } = processorName;
}
