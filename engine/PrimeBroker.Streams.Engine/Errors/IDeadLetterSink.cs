using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>Writes a record to a dead-letter topic inside the current transaction.</summary>
public interface IDeadLetterSink
{
    void Send(string topic, byte[]? key, byte[]? value, Headers headers);
}
