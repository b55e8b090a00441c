using PrimeBroker.Streams.Engine.Testing;

namespace PrimeBroker.Streams.Brokerage.Tests.Fixtures;

public static class OutputTopicExtensions
{
    /// <summary>Reads every unread record's value, in partition then offset order.</summary>
    public static List<TValue> ReadValuesToListOf<TKey, TValue>(this TestOutputTopic<TKey, TValue> topic) =>
        topic.ReadRecordsToList().Select(r => r.Value).ToList();
}
