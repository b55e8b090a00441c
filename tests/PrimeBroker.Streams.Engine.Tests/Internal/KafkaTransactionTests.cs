using Confluent.Kafka;
using PrimeBroker.Streams.Engine.Internal.Kafka;
using PrimeBroker.Streams.Engine.Tests.Fakes;

namespace PrimeBroker.Streams.Engine.Tests.Internal;

/// <summary>The stream thread's transaction wrapper over a scripted producer: callback accounting and commit outcomes.</summary>
public sealed class KafkaTransactionTests
{
    // Generous: the transaction calls run on the thread pool with a bound of twice this, and a loaded machine must not
    // make a healthy call look stuck.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);

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

    [Fact]
    public void ARetriableCommitErrorIsAnUnknownOutcomeAndANewProducerFencesTheOld()
    {
        var producers = new List<FakeProducer>();
        using var metrics = new EngineMetrics("test");
        using var transaction = new KafkaTransaction(() =>
        {
            var (producer, script) = FakeProducer.Create();
            producers.Add(script);
            return producer;
        }, FakeConsumer.Create(), transactional: true, s_timeout, metrics);
        producers[0].CommitErrors.Enqueue(new KafkaRetriableException(new Error(ErrorCode.RequestTimedOut, "EndTxn timed out")));
        transaction.Send("out", 0, [1], [2], null, 0, _ => { });

        // Before: retried the same commit up to 5 times and reported success or a plain error; the broker may have committed.
        var ex = Assert.Throws<IndefiniteTransactionException>(() => transaction.Commit(new Dictionary<TopicPartition, long>()));
        Assert.Equal("commit transaction", ex.Call);
        Assert.Equal(1, producers[0].CommitCalls);

        transaction.RecreateProducer();
        Assert.True(producers[0].Disposed);
        Assert.Equal(1, producers[1].InitTransactionsCalls);
    }

    [Fact]
    public void ACommitWithoutGroupOffsetsSendsNoOffsetsAndOneWithThemSendsThemOnce()
    {
        FakeProducer? script = null;
        using var metrics = new EngineMetrics("test");
        using var transaction = new KafkaTransaction(() =>
        {
            var (producer, s) = FakeProducer.Create();
            script = s;
            return producer;
        }, FakeConsumer.Create(), transactional: true, s_timeout, metrics);

        transaction.Send("out", 0, [1], [2], null, 0, _ => { });
        transaction.Commit(new Dictionary<TopicPartition, long>());
        transaction.Send("out", 0, [1], [2], null, 0, _ => { });
        transaction.Commit(new Dictionary<TopicPartition, long> { [new TopicPartition("in", 0)] = 1 });

        Assert.Equal(1, script!.SendOffsetsCalls);
        Assert.Equal(2, script.CommitCalls);
    }

    [Fact]
    public void ASendOffsetsCallThatIgnoresItsTimeoutIsAbandonedWithinItsBound()
    {
        var producers = new List<FakeProducer>();
        using var gate = new ManualResetEventSlim();
        using var metrics = new EngineMetrics("test");
        using var transaction = new KafkaTransaction(() =>
        {
            var (producer, script) = FakeProducer.Create();
            script.SendOffsetsGate = producers.Count == 0 ? gate : null;
            producers.Add(script);
            return producer;
        }, FakeConsumer.Create(), transactional: true, s_timeout, metrics);
        transaction.Send("out", 0, [1], [2], null, 0, _ => { });

        Assert.Throws<IndefiniteTransactionException>(() => transaction.Commit(new Dictionary<TopicPartition, long> { [new TopicPartition("in", 0)] = 1 }));
        transaction.RecreateProducer();
        Assert.False(producers[0].Disposed); // still inside the stuck call: released only when it returns
        transaction.Send("out", 0, [1], [2], null, 0, _ => { });
        transaction.Commit(new Dictionary<TopicPartition, long>());
        Assert.Equal(1, producers[1].CommitCalls);

        gate.Set();
    }
}
