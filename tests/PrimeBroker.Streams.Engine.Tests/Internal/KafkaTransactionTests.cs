using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The stream thread's transaction wrapper over a scripted producer: callback accounting and commit outcomes.</summary>
public sealed class KafkaTransactionTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void AProduceThatThrowsLeavesNoDeliveryCallbackPending()
    {
        var (producer, script) = FakeProducer.Create();
        using var metrics = new EngineMetrics("test");
        using var transaction = new KafkaTransaction(() => producer, FakeConsumer.Create(), transactional: true, s_timeout, metrics);
        script.FailProduces = 1;

        Assert.Throws<ProduceException<byte[], byte[]>>(() => transaction.Send("changelog", 0, [1], [2], null, 0, _ => { }));

        Assert.Equal(0, transaction.PendingCallbacks);
        transaction.Flush(); // before the fix: waited for the callback that never comes, then threw, on every later commit
    }

    [Fact]
    public void ALateCallbackOfAReplacedProducerDoesNotCountAgainstTheNewOne()
    {
        var producers = new List<FakeProducer>();
        using var metrics = new EngineMetrics("test");
        using var transaction = new KafkaTransaction(() =>
        {
            var (producer, script) = FakeProducer.Create();
            script.DeferDelivery = true;
            producers.Add(script);
            return producer;
        }, FakeConsumer.Create(), transactional: true, s_timeout, metrics);

        transaction.Send("changelog", 0, [1], [2], null, 0, _ => { });
        transaction.RecreateProducer();
        producers[0].Deliver(); // the old producer delivers after it was replaced
        long delivered = -1;
        transaction.Send("changelog", 0, [1], [3], null, 0, offset => delivered = offset);

        Assert.Equal(1, transaction.PendingCallbacks);
        producers[1].Deliver();
        transaction.Flush();
        Assert.Equal(0, delivered);
    }
}
