namespace PrimeBroker.Streams.App.Hosting;

/// <summary>The writer a command prints its results to (stdout by default), separate from logging.</summary>
internal sealed record CommandOutput(TextWriter Writer);
