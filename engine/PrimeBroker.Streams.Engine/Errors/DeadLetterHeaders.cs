using Confluent.Kafka;

namespace PrimeBroker.Streams.Engine.Errors;

/// <summary>The headers a dead letter carries, so an operator can see why and from where without decoding it.</summary>
/// <remarks>Every value is UTF-8 text; numbers are written in the invariant culture.</remarks>
public static class DeadLetterHeaders
{
    /// <summary>Header with the full type name of the exception, e.g. <c>System.FormatException</c>.</summary>
    public const string ErrorType = "dlq.error.type";

    /// <summary>Header with the exception's message.</summary>
    public const string ErrorMessage = "dlq.error.message";

    /// <summary>Header with the topic the record was consumed from.</summary>
    public const string SourceTopic = "dlq.source.topic";

    /// <summary>Header with the source partition, in decimal.</summary>
    public const string SourcePartition = "dlq.source.partition";

    /// <summary>Header with the source offset, in decimal.</summary>
    public const string SourceOffset = "dlq.source.offset";

    /// <summary>The headers of a dead letter: a copy of the record's own headers (when known), then the five
    /// <c>dlq.*</c> headers above. Pure; safe from any thread.</summary>
    /// <param name="context">The failed record; its headers are copied, not modified.</param>
    /// <param name="exception">The error to describe.</param>
    /// <returns>A new headers collection.</returns>
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
