using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>The headers a dead letter carries, so an operator can see why and from where without decoding it.</summary>
public static class DeadLetterHeaders
{
    public const string ErrorType = "dlq.error.type";
    public const string ErrorMessage = "dlq.error.message";
    public const string SourceTopic = "dlq.source.topic";
    public const string SourcePartition = "dlq.source.partition";
    public const string SourceOffset = "dlq.source.offset";

    public static Headers Create(ErrorContext context, Exception exception)
    {
        var headers = new Headers();
        if (context.Headers is not null)
        {
            foreach (var h in context.Headers)
            {
                headers.Add(h.Key, h.GetValueBytes());
            }
        }

        headers.Add(ErrorType, System.Text.Encoding.UTF8.GetBytes(exception.GetType().FullName ?? exception.GetType().Name));
        headers.Add(ErrorMessage, System.Text.Encoding.UTF8.GetBytes(exception.Message));
        headers.Add(SourceTopic, System.Text.Encoding.UTF8.GetBytes(context.Topic));
        headers.Add(SourcePartition, System.Text.Encoding.UTF8.GetBytes(context.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        headers.Add(SourceOffset, System.Text.Encoding.UTF8.GetBytes(context.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return headers;
    }
}
