using Polly;
using Polly.Retry;
using PrimeBroker.Streams.Brokerage.Internal;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Tests.Rules;

/// <summary>
/// <see cref="RegistryRetry.Run{T}"/> enters the retry pipeline only after a first failure, and then behaves as the
/// pipeline alone: the same attempts, the same retries, the same final exception.
/// </summary>
public sealed class Rule02RegistryRetryPipelineTests
{
    [Fact]
    public void AFirstAttemptThatSucceedsNeverEntersThePipeline()
    {
        var entered = 0;
        var pipeline = new ResiliencePipelineBuilder().AddStrategy(_ => new CountingStrategy(() => entered++), new CountingOptions()).Build();

        Assert.Equal(42, pipeline.Run(() => 42));

        Assert.Equal(0, entered);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(9)]
    public void AfterAFirstFailureTheAttemptsAndRetriesAreThePipelinesOwn(int failures)
    {
        var (viaRun, runRetries) = Attempts(failures, (p, a) => p.Run(a));
        var (viaPipeline, pipelineRetries) = Attempts(failures, (p, a) => p.Execute(a));

        Assert.Equal(viaPipeline.Attempts, viaRun.Attempts);
        Assert.Equal(pipelineRetries, runRetries);
        Assert.Equal(viaPipeline.Result, viaRun.Result);
    }

    [Fact]
    public void AnotherFailureIsThrownAtOnceWithoutRetries()
    {
        var retries = 0;
        var attempts = 0;
        var pipeline = Pipeline(() => retries++);

        var error = Assert.Throws<EventDeserializationException>(() => pipeline.Run<int>(() =>
        {
            attempts++;
            throw new EventDeserializationException(DeserializationFailureReason.CorruptBody, "corrupt");
        }));

        Assert.Equal(DeserializationFailureReason.CorruptBody, error.Reason);
        Assert.Equal(1, attempts);
        Assert.Equal(0, retries);
    }

    private static ((int Attempts, string Result), int Retries) Attempts(int failures, Func<ResiliencePipeline, Func<int>, int> run)
    {
        var retries = 0;
        var attempts = 0;
        var pipeline = Pipeline(() => retries++);
        string result;
        try
        {
            result = run(pipeline, () =>
            {
                attempts++;
                return attempts <= failures
                    ? throw new EventDeserializationException(DeserializationFailureReason.SchemaRegistryUnavailable, $"down at attempt {attempts}")
                    : attempts;
            }).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (EventDeserializationException e)
        {
            result = e.Message;
        }

        return ((attempts, result), retries);
    }

    private static ResiliencePipeline Pipeline(Action onRetry) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 4,
            Delay = TimeSpan.Zero,
            ShouldHandle = new PredicateBuilder().Handle<EventDeserializationException>(e => e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable),
            OnRetry = _ =>
            {
                onRetry();
                return default;
            },
        })
        .Build();

    private sealed class CountingOptions : ResilienceStrategyOptions;

    private sealed class CountingStrategy(Action entered) : ResilienceStrategy
    {
        protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            entered();
            return callback(context, state);
        }
    }
}
