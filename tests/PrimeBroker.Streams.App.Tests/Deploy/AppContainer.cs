namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>One container of the host image as a deployment file runs it.</summary>
/// <param name="Source">Where it is declared, e.g. <c>compose.yaml services.app-1</c>, for failure messages.</param>
/// <param name="Args">The arguments after the image's entry point (the command verb first), with the deployment's own
/// variable references (Kubernetes <c>$(NAME)</c>) still in them.</param>
/// <param name="Environment">Environment variables the file sets, by name; a value from a field or secret reference is
/// given as <see cref="AppContainer.FromReference"/> plus the reference.</param>
internal sealed record AppContainer(string Source, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment)
{
    internal const string FromReference = "valueFrom:";
}
