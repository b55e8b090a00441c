namespace PrimeBroker.Streams.App.Http;

/// <summary>The body of <c>POST /dlq/redrive</c>: dead-letter ids (<c>partition:offset</c>).</summary>
public sealed record RedriveRequest(IReadOnlyList<string> Ids);
