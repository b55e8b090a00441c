using System.Runtime.ExceptionServices;
using Polly;
using PrimeBroker.Streams.Serialization;

namespace PrimeBroker.Streams.Brokerage.Internal;

/// <summary>
/// Registry-dependent work (decoding, a global-table read that may decode) under the registry retry pipeline, entered
/// only once a first attempt found the registry unavailable. Entering Polly's pipeline for every record cost about 3 %
/// of the stream thread's time in a profile of the full topology (bench/README.md, "What limits throughput").
/// </summary>
internal static class RegistryRetry
{
    /// <summary>
    /// Runs <paramref name="attempt"/> once; if it throws <see cref="EventDeserializationException"/> with reason
    /// <see cref="DeserializationFailureReason.SchemaRegistryUnavailable"/>, runs the pipeline with that failure as its
    /// first attempt (replayed, not run again), so delays, attempt count and the final exception are what the pipeline
    /// alone would give.
    /// </summary>
    public static T Run<T>(this ResiliencePipeline pipeline, Func<T> attempt)
    {
        EventDeserializationException first;
        try
        {
            return attempt();
        }
        catch (EventDeserializationException e) when (e.Reason == DeserializationFailureReason.SchemaRegistryUnavailable)
        {
            first = e;
        }

        var replayed = false;
        return pipeline.Execute(() =>
        {
            if (!replayed)
            {
                replayed = true;
                ExceptionDispatchInfo.Throw(first);
            }

            return attempt();
        });
    }
}
