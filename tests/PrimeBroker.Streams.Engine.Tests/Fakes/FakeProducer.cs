using System.Reflection;
using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Tests.Fakes;

/// <summary>
/// A scripted <see cref="IProducer{TKey,TValue}"/> for tests of the engine's transaction wrapper: Produce can throw, and
/// delivery callbacks run at once or when the test releases them. Transaction calls succeed unless scripted to throw.
/// Built on <see cref="DispatchProxy"/>; members the scripts do not cover throw <see cref="NotSupportedException"/>.
/// </summary>
public class FakeProducer : DispatchProxy
{
    private readonly Queue<Action<DeliveryReport<byte[], byte[]>>> _deferred = new();
    private long _offset;

    /// <summary>Produce calls that throw (Local_State, as librdkafka does in a transaction's error state) before one succeeds.</summary>
    public int FailProduces { get; set; }

    /// <summary>Keep delivery callbacks until <see cref="Deliver"/>.</summary>
    public bool DeferDelivery { get; set; }

    /// <summary>Errors CommitTransaction throws, in order, before it succeeds.</summary>
    public Queue<KafkaException> CommitErrors { get; } = new();

    /// <summary>When set, SendOffsetsToTransaction blocks until it is signalled, ignoring its timeout (librdkafka#5456).</summary>
    public ManualResetEventSlim? SendOffsetsGate { get; set; }

    public int InitTransactionsCalls { get; private set; }

    public int AbortCalls { get; private set; }

    public int CommitCalls { get; private set; }

    public int SendOffsetsCalls { get; private set; }

    public bool Disposed { get; private set; }

    public static (IProducer<byte[], byte[]> Producer, FakeProducer Script) Create()
    {
        var producer = Create<IProducer<byte[], byte[]>, FakeProducer>();
        return (producer, (FakeProducer)(object)producer);
    }

    /// <summary>Runs the deferred delivery callbacks (successful deliveries).</summary>
    public void Deliver()
    {
        while (_deferred.TryDequeue(out var callback))
        {
            callback(new DeliveryReport<byte[], byte[]> { Offset = _offset++, Error = new Error(ErrorCode.NoError) });
        }
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        switch (method!.Name)
        {
            case "Produce" when args!.Length == 3 && args[0] is TopicPartition:
                if (FailProduces > 0)
                {
                    FailProduces--;
                    throw new ProduceException<byte[], byte[]>(new Error(ErrorCode.Local_State, "Erroneous state"), new DeliveryResult<byte[], byte[]>());
                }

                var handler = (Action<DeliveryReport<byte[], byte[]>>?)args[2];
                if (handler is not null)
                {
                    _deferred.Enqueue(handler);
                    if (!DeferDelivery)
                    {
                        Deliver();
                    }
                }

                return null;
            case "Flush" when args!.Length == 1 && args[0] is TimeSpan:
                return DeferDelivery ? _deferred.Count : 0;
            case "InitTransactions":
                InitTransactionsCalls++;
                return null;
            case "SendOffsetsToTransaction":
                SendOffsetsCalls++;
                SendOffsetsGate?.Wait();
                return null;
            case "BeginTransaction":
                return null;
            case "CommitTransaction":
                CommitCalls++;
                if (CommitErrors.TryDequeue(out var error))
                {
                    throw error;
                }

                return null;
            case "AbortTransaction":
                AbortCalls++;
                return null;
            case "Poll":
                return 0;
            case "Dispose":
                Disposed = true;
                return null;
            case "get_Name":
                return "fake-producer";
            default:
                throw new NotSupportedException($"FakeProducer does not script {method.Name}.");
        }
    }
}

/// <summary>A consumer that only answers what a transaction commit asks of it.</summary>
public class FakeConsumer : DispatchProxy
{
    public static IConsumer<byte[], byte[]> Create() => Create<IConsumer<byte[], byte[]>, FakeConsumer>();

    protected override object? Invoke(MethodInfo? method, object?[]? args) => method!.Name switch
    {
        "get_ConsumerGroupMetadata" => null,
        "Commit" => null,
        _ => throw new NotSupportedException($"FakeConsumer does not script {method.Name}."),
    };
}
