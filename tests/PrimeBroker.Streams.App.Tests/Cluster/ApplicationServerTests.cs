using Microsoft.Extensions.Configuration;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.App.Tests.Deploy;

namespace PrimeBroker.Streams.App.Tests.Cluster;

/// <summary>The address an instance announces to the others: a wildcard is refused at start, and the default is
/// routable (the first listen URL that is not a wildcard, else the host name).</summary>
public sealed class ApplicationServerTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1:8080")]
    [InlineData("http://0.0.0.0:8080", "pod-7:8080")]
    [InlineData("http://[::]:9000", "pod-7:9000")]
    [InlineData("http://*:8080", "pod-7:8080")]
    [InlineData("http://+:80", "pod-7:80")]
    [InlineData("http://0.0.0.0:8080;http://app-1.internal:8080", "app-1.internal:8080")]
    [InlineData("http://[::1]:8080", "[::1]:8080")]
    public void TheDefaultIsTheFirstRoutableListenAddressElseTheHostName(string urls, string expected)
    {
        var resolved = ApplicationServerAddress.Resolve(new StreamsOptions(), new HttpOptions { Urls = urls }, () => "pod-7");

        Assert.Equal(expected, resolved);
    }

    [Theory]
    [InlineData("0.0.0.0:8080")]
    [InlineData("[::]:8080")]
    [InlineData("*:8080")]
    [InlineData("+:8080")]
    public void AWildcardApplicationServerIsInvalid(string server)
    {
        var errors = new StreamsOptions { ApplicationServer = server }.Validate().ToList();

        Assert.Contains(errors, e => e.Contains("wildcard", StringComparison.Ordinal) && e.Contains(server, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunRefusesAWildcardApplicationServerAtStartWithAClearMessage()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await HostCommandLine.RunAsync(["run", "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "http://127.0.0.1:1",
            "--urls", "http://0.0.0.0:0", "--application-server", "0.0.0.0:8080"], output, error).WaitAsync(Probe.Timeout);

        Assert.Equal(HostCommandLine.Failure, exitCode);
        Assert.Contains("Streams:ApplicationServer '0.0.0.0:8080' is a wildcard address", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheDockerfileUsageLineAnnouncesTheContainersNameOnItsNetwork()
    {
        var dockerfile = DeploymentFiles.Read("Dockerfile");
        var image = DeploymentFiles.DockerfileDefaults(dockerfile);
        var usages = dockerfile.Split('\n').Select(l => l.TrimStart('#', ' ')).Where(l => l.StartsWith("docker run ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(usages);

        foreach (var usage in usages)
        {
            var words = usage.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var imageAt = words.FindIndex(w => w.StartsWith("primebroker-streams:", StringComparison.Ordinal));
            var dockerOptions = words[2..imageAt];
            var name = Option(dockerOptions, "--hostname") ?? Option(dockerOptions, "--name");
            Assert.True(name is not null, $"'{usage}' names no container (--name or --hostname)");
            var (settings, problems) = new DeploySettingsChecker(HostSettingsCatalog.FromHost())
                .Check(new AppContainer("Dockerfile usage", words[(imageAt + 1)..], new Dictionary<string, string>()), image.Environment);
            Assert.True(problems.Count == 0, string.Join("\n", problems));

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings!).Build();
            var streams = configuration.GetSection(StreamsOptions.Section).Get<StreamsOptions>() ?? new StreamsOptions();
            var http = configuration.GetSection(HttpOptions.Section).Get<HttpOptions>() ?? new HttpOptions();
            var announced = ApplicationServerAddress.Resolve(streams, http, () => "container-id");

            Assert.Contains("0.0.0.0", http.Urls, StringComparison.Ordinal); // the image listens on every interface ...
            Assert.Equal($"{name}:8080", announced); // ... and announces the name the others reach it by
        }
    }

    private static string? Option(List<string> options, string flag) =>
        options.IndexOf(flag) is var i and >= 0 && i + 1 < options.Count ? options[i + 1] : null;
}
