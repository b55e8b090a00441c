using System.Text.RegularExpressions;
using System.Xml.Linq;
using static PrimeBroker.Streams.App.Tests.Deploy.DeploymentFiles;

namespace PrimeBroker.Streams.App.Tests.Deploy;

/// <summary>
/// The files of <c>deploy/</c> cannot run here (no container engine, no Kubernetes): these tests parse them and check
/// every setting they pass against the host's own options, and the shape the README promises (three brokers in KRaft
/// mode, three instances with their own state, a volume per pod, readiness on /health/ready, a disruption budget).
/// </summary>
public sealed class DeploymentTests
{
    private static readonly HostSettingsCatalog s_catalog = HostSettingsCatalog.FromHost();
    private static readonly (Dictionary<string, string> Environment, List<string> Command) s_image = DockerfileDefaults(Read("Dockerfile"));

    [Fact]
    public void DockerfileSettingsExistInTheHostOptions()
    {
        Assert.NotEmpty(s_image.Environment);
        var (_, problems) = Checker().Check(new AppContainer("Dockerfile", s_image.Command, new Dictionary<string, string>()), s_image.Environment);
        Assert.True(problems.Count == 0, Report("Dockerfile", problems));
    }

    [Fact]
    public void ComposeServicesPassOnlySettingsTheHostHas()
    {
        var containers = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command);

        Assert.Equal(["compose.yaml services.app-1", "compose.yaml services.app-2", "compose.yaml services.app-3", "compose.yaml services.instruments",
                "compose.yaml services.topics", "compose.yaml services.topics-ready"],
            containers.Select(c => c.Source).Order());
        var problems = containers.SelectMany(c => Checker().Check(c, s_image.Environment).Problems.Select(p => $"{c.Source}: {p}")).ToList();
        Assert.True(problems.Count == 0, Report("compose.yaml", problems));
    }

    [Fact]
    public void KubernetesContainersPassOnlySettingsTheHostHas()
    {
        var containers = KubernetesContainers(KubernetesDocuments(), s_image.Command);

        Assert.Equal(4, containers.Count); // the StatefulSet's instance and its init container, the topics Job and the instruments Job
        var problems = containers.SelectMany(c => Checker().Check(c, s_image.Environment).Problems.Select(p => $"{c.Source}: {p}")).ToList();
        Assert.True(problems.Count == 0, Report("deploy/kubernetes", problems));
    }

    [Fact]
    public void AMisspeltSettingFailsTheCheck()
    {
        var compose = Read("compose.yaml")
            .Replace("Kafka__BootstrapServers:", "Kafka__BootstrapServer:", StringComparison.Ordinal)
            .Replace("--state-dir", "--state-directory", StringComparison.Ordinal)
            .Replace("Streams__Threads: 2", "Streams__Threads: two", StringComparison.Ordinal)
            .Replace("SchemaRegistry__Url: http://schema-registry:8081", "SchemaRegistry__Url: schema-registry", StringComparison.Ordinal);
        var app1 = ComposeContainers(compose, "compose.yaml", s_image.Command).Single(c => c.Source.EndsWith("app-1", StringComparison.Ordinal));

        var problems = Checker().Check(app1, s_image.Environment).Problems;

        Assert.Contains(problems, p => p.StartsWith("environment Kafka__BootstrapServer ", StringComparison.Ordinal) && p.Contains("BootstrapServer'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("switch --state-directory: 'run' has no such switch", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("environment Streams__Threads ", StringComparison.Ordinal)); // "two" is not an int
        Assert.Contains(problems, p => p.StartsWith("invalid: ", StringComparison.Ordinal) && p.Contains("SchemaRegistry:Url", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);

        var statefulSet = Read("kubernetes/statefulset.yaml")
            .Replace("- name: Http__Urls", "- name: Http_Urls", StringComparison.Ordinal)
            .Replace("$(POD_NAMESPACE)", "$(POD_NAMESPACES)", StringComparison.Ordinal);
        var pod = KubernetesContainers(ParseYaml(statefulSet).Select(d => ("statefulset.yaml", d)), s_image.Command).Single(c => c.Args[0] == "run");
        var podProblems = Checker().Check(pod, s_image.Environment).Problems;
        Assert.Contains(podProblems, p => p.StartsWith("environment Http_Urls: not a host setting", StringComparison.Ordinal));
        Assert.Contains(podProblems, p => p.Contains("$(POD_NAMESPACES) is not defined", StringComparison.Ordinal));
        Assert.Contains(podProblems, p => p.StartsWith("environment POD_NAMESPACE: not a host setting", StringComparison.Ordinal)); // now unused
        Assert.Equal(3, podProblems.Count);
    }

    [Fact]
    public void ComposeRunsThreeInstancesWithTheirOwnStateOnAThreeBrokerKraftClusterAndASchemaRegistry()
    {
        var compose = Map(ParseYaml(Read("compose.yaml")).Single(), "compose.yaml");
        var services = Map(compose["services"], "services");

        var kafka = services.Where(s => (Map(s.Value, "").GetValueOrDefault("image") as string ?? "").StartsWith("apache/kafka:", StringComparison.Ordinal))
            .Select(s => Map(Map(s.Value, "")["environment"], $"{s.Key}.environment")).ToList();
        Assert.Equal(3, kafka.Count);
        Assert.All(kafka, env =>
        {
            Assert.Equal("broker,controller", env["KAFKA_PROCESS_ROLES"]);
            Assert.Equal(3, ((string)env["KAFKA_CONTROLLER_QUORUM_VOTERS"]).Split(',').Length);
            Assert.Equal("3", env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"].ToString());
        });
        Assert.Equal(3, kafka.Select(env => env["KAFKA_NODE_ID"].ToString()).Distinct().Count());
        Assert.Contains(services.Values, s => (Map(s, "").GetValueOrDefault("image") as string ?? "").Contains("schema-registry", StringComparison.Ordinal));

        var instances = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command)
            .Where(c => c.Args[0] == "run")
            .Select(c => (Service: c.Source.Split('.').Last(), Settings: Checker().Check(c, s_image.Environment).Settings))
            .ToList();
        Assert.Equal(3, instances.Count);
        Assert.All(instances, i =>
        {
            // Other instances forward queries to this address: it must be the service's own name on the network.
            Assert.Equal($"{i.Service}:8080", i.Settings["Streams:ApplicationServer"]);
            var volumes = (List<object>)Map(services[i.Service], i.Service)["volumes"];
            Assert.Contains($"{i.Service}-state:{i.Settings["Streams:StateDirectory"]}", volumes.Cast<string>());
            Assert.Equal("kafka-1:9092,kafka-2:9092,kafka-3:9092", i.Settings["Kafka:BootstrapServers"]);
        });
    }

    [Fact]
    public void StatefulSetGivesEachPodAStateVolumeItsStableDnsNameAndReadinessOnHealthReady()
    {
        var documents = KubernetesDocuments().Select(d => d.Document).OfType<Dictionary<object, object>>().ToList();
        var statefulSet = documents.Single(d => (string)d["kind"] == "StatefulSet");
        var spec = Map(statefulSet["spec"], "spec");
        var serviceName = (string)spec["serviceName"];
        var governing = documents.Single(d => (string)d["kind"] == "Service" && (string)Map(d["metadata"], "")["name"] == serviceName);
        Assert.Equal("None", Map(governing["spec"], "")["clusterIP"]);

        var container = Map(((List<object>)PodSpec(statefulSet)!["containers"]).Single(), "container");
        var pod = KubernetesContainers(KubernetesDocuments(), s_image.Command)
            .Single(c => c.Source.Contains("StatefulSet", StringComparison.Ordinal) && !c.Source.Contains("init container", StringComparison.Ordinal));
        Assert.Equal("run", pod.Args[0]);
        var server = pod.Args[pod.Args.ToList().IndexOf("--application-server") + 1];
        Assert.Matches($@"^\$\(POD_NAME\)\.{Regex.Escape(serviceName)}\.\$\(POD_NAMESPACE\)\.svc\.cluster\.local:8080$", server);
        Assert.Equal("metadata.name", Map(Map(Map(((List<object>)container["env"]).Select(e => Map(e, "")).Single(e => (string)e["name"] == "POD_NAME"), "")["valueFrom"], "")["fieldRef"], "")["fieldPath"]);

        var settings = Checker().Check(pod, s_image.Environment).Settings;
        var claim = (string)Map(Map(((List<object>)spec["volumeClaimTemplates"]).Single(), "claim")["metadata"], "")["name"];
        var mount = ((List<object>)container["volumeMounts"]).Select(m => Map(m, "")).Single(m => (string)m["name"] == claim);
        Assert.Equal(settings["Streams:StateDirectory"], mount["mountPath"]);

        var readiness = Map(Map(container["readinessProbe"], "readinessProbe")["httpGet"], "httpGet");
        Assert.Equal("/health/ready", readiness["path"]);
        Assert.Equal("/health/live", Map(Map(container["livenessProbe"], "livenessProbe")["httpGet"], "httpGet")["path"]);
        // The probes reach the HTTP port the host listens on inside the pod (all interfaces, not loopback).
        Assert.Contains("0.0.0.0:8080", settings["Http:Urls"], StringComparison.Ordinal);
    }

    [Fact]
    public void DisruptionBudgetAndServicesSelectTheInstancePods()
    {
        var documents = KubernetesDocuments().Select(d => d.Document).OfType<Dictionary<object, object>>().ToList();
        var statefulSet = documents.Single(d => (string)d["kind"] == "StatefulSet");
        var podLabels = Map(Map(Map(Map(statefulSet["spec"], "")["template"], "")["metadata"], "")["labels"], "labels");

        var budget = documents.Single(d => (string)d["kind"] == "PodDisruptionBudget");
        var budgetSpec = Map(budget["spec"], "spec");
        Assert.Equal("1", budgetSpec["maxUnavailable"].ToString());
        // A pod that is not ready (crash-looping) may be evicted, or a node drain waits on it forever.
        Assert.Equal("AlwaysAllow", budgetSpec["unhealthyPodEvictionPolicy"]);
        Assert.All(Map(Map(budgetSpec["selector"], "")["matchLabels"], ""), l => Assert.Equal(l.Value, podLabels[l.Key]));

        var services = documents.Where(d => (string)d["kind"] == "Service").ToList();
        Assert.Equal(2, services.Count);
        Assert.All(services, s => Assert.All(Map(Map(s["spec"], "")["selector"], ""), l => Assert.Equal(l.Value, podLabels[l.Key])));
    }

    [Fact]
    public void ComposeAndKubernetesLoadTheInstrumentFileThatTheInstrumentsCommandAccepts()
    {
        var composeInstruments = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command).Single(c => c.Args[0] == "instruments");
        var jobInstruments = KubernetesContainers(KubernetesDocuments(), s_image.Command).Single(c => c.Args[0] == "instruments");
        Assert.All(new[] { composeInstruments, jobInstruments }, c =>
            Assert.Equal("/etc/primebroker/instruments.csv", Checker().Check(c, s_image.Environment).Settings["Instruments:File"]));

        // The file both mount is one the command loads without a problem.
        var records = App.Generation.InstrumentFile.Read(Path.Combine(DeployFolder, "kubernetes/instruments.csv"), DateTime.UtcNow);
        Assert.True(records.Count >= 3, "deploy/kubernetes/instruments.csv holds too few instruments");
        var compose = Map(Map(ParseYaml(Read("compose.yaml")).Single(), "compose.yaml")["services"], "services");
        Assert.Contains("./kubernetes/instruments.csv:/etc/primebroker/instruments.csv:ro", ((List<object>)Map(compose["instruments"], "instruments")["volumes"]).Cast<string>());
        Assert.Equal("service_completed_successfully", Map(Map(Map(compose["app-1"], "app-1")["depends_on"], "depends_on")["instruments"], "")["condition"]);
        var kustomization = Map(ParseYaml(Read("kubernetes/kustomization.yaml")).Single(), "kustomization");
        Assert.Contains("instruments-job.yaml", ((List<object>)kustomization["resources"]).Cast<string>());
    }

    [Fact]
    public void EveryInstanceListeningBeyondLoopbackHasAWriterKey()
    {
        var instances = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command)
            .Concat(KubernetesContainers(KubernetesDocuments(), s_image.Command)).Where(c => c.Args[0] == "run").ToList();

        Assert.Equal(4, instances.Count);
        Assert.All(instances, c =>
        {
            var settings = Checker().Check(c, s_image.Environment).Settings;
            Assert.Contains("0.0.0.0", settings["Http:Urls"], StringComparison.Ordinal);
            // Without one the instance refuses to start (its writes would be open to the network).
            // (a value from a Secret is not among the settings, only among the variables)
            Assert.True(settings.Keys.Any(k => k.StartsWith("Auth:ApiKeys:", StringComparison.OrdinalIgnoreCase))
                || c.Environment.Keys.Any(k => k.StartsWith("Auth__ApiKeys__", StringComparison.Ordinal)), $"{c.Source} has no Auth:ApiKeys:<name>");
        });
    }

    [Fact]
    public void DockerfileRestoresEveryProjectTheHostReferences()
    {
        var root = Path.GetDirectoryName(DeployFolder)!;
        var projects = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(root, "host/PrimeBroker.Streams.App/PrimeBroker.Streams.App.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (!projects.Add(Path.GetRelativePath(root, project).Replace('\\', '/')))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value)));
            }
        }

        var copied = DockerInstructions(Read("Dockerfile"))
            .Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && i.Contains(".csproj", StringComparison.Ordinal))
            .Select(i => i.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(projects.Count >= 7, $"expected the host and the six projects below it, found {string.Join(", ", projects)}");
        Assert.All(projects, p => Assert.True(copied.Contains(p), $"deploy/Dockerfile does not copy {p} before its restore"));
    }

    [Fact]
    public void ReadmeSettingsTableNamesRealSettingsSwitchesAndVariables()
    {
        var readme = File.ReadAllText(Path.Combine(Path.GetDirectoryName(DeployFolder)!, "README.md"));
        var section = readme[readme.IndexOf("## Multi-instance deployment", StringComparison.Ordinal)..];
        var rows = Regex.Matches(section, @"^\| `([^`]+)` \| `(--[^`]+)` \| `([^`]+)` \|", RegexOptions.Multiline);

        Assert.True(rows.Count >= 5, "the README's settings table was not found");
        var run = s_catalog.Commands["run"];
        Assert.All(rows, row =>
        {
            var (key, option, variable) = (row.Groups[1].Value, row.Groups[2].Value, row.Groups[3].Value);
            Assert.True(new[] { "x:1", "1" }.Any(v => s_catalog.Unknown(key, v) is null), $"README names {key}: {s_catalog.Unknown(key, "x:1")}");
            Assert.True(run.TryGetValue(option, out var sw) && sw.ConfigurationKey == key, $"README: 'run {option}' does not set {key}");
            Assert.Equal(key.Replace(":", "__", StringComparison.Ordinal), variable);
        });
    }

    [Fact]
    public void GracePeriodsCoverTheHostsShutdownTimeoutWithAMargin()
    {
        // After SIGTERM the host has Host:ShutdownTimeout to stop; the process then disposes its services and exits.
        // The orchestrator's SIGKILL must come later than both, or a clean stop is cut short.
        var margin = TimeSpan.FromSeconds(5);
        var compose = Map(Map(ParseYaml(Read("compose.yaml")).Single(), "compose.yaml")["services"], "services");
        var composeInstances = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command).Where(c => c.Args[0] == "run").ToList();
        Assert.Equal(3, composeInstances.Count);
        Assert.All(composeInstances, c =>
        {
            var grace = Map(compose[c.Source.Split('.').Last()], c.Source).GetValueOrDefault("stop_grace_period") as string;
            Assert.True(grace is not null, $"{c.Source} has no stop_grace_period (compose's default is 10 s)");
            Assert.Matches("^[0-9]+s$", grace);
            var seconds = TimeSpan.FromSeconds(int.Parse(grace[..^1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(seconds >= ShutdownTimeoutOf(c) + margin, $"{c.Source}: stop_grace_period {grace} is not {margin.TotalSeconds} s beyond the host's shutdown timeout {ShutdownTimeoutOf(c)}");
        });

        var statefulSet = KubernetesDocuments().Select(d => d.Document).OfType<Dictionary<object, object>>().Single(d => (string)d["kind"] == "StatefulSet");
        var pod = KubernetesContainers(KubernetesDocuments(), s_image.Command).Single(c => c.Args[0] == "run");
        var podGrace = TimeSpan.FromSeconds(int.Parse(PodSpec(statefulSet)!["terminationGracePeriodSeconds"].ToString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(podGrace >= ShutdownTimeoutOf(pod) + margin,
            $"terminationGracePeriodSeconds {podGrace.TotalSeconds} is not {margin.TotalSeconds} s beyond the host's shutdown timeout {ShutdownTimeoutOf(pod)}");
    }

    [Fact]
    public void EveryManifestParsesNamesItsKindAndIsAppliedByTheKustomizationOrSaysHowToApplyIt()
    {
        Assert.Single(ParseYaml(Read("compose.yaml")));
        var kustomization = Map(ParseYaml(Read("kubernetes/kustomization.yaml")).Single(), "kustomization");
        var resources = ((List<object>)kustomization["resources"]).Cast<string>().ToList();
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(DeployFolder, "kubernetes", r)), $"kustomization.yaml lists {r}, which does not exist"));

        var files = KubernetesDocuments().Where(d => d.File != "kubernetes/kustomization.yaml").ToList();
        Assert.NotEmpty(files);
        Assert.All(files, d =>
        {
            var manifest = Map(d.Document, d.File);
            Assert.False(string.IsNullOrEmpty(manifest.GetValueOrDefault("apiVersion") as string), $"{d.File}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(manifest.GetValueOrDefault("kind") as string), $"{d.File}: no kind");
            Assert.False(string.IsNullOrEmpty(Map(manifest.GetValueOrDefault("metadata"), $"{d.File} metadata").GetValueOrDefault("name") as string), $"{d.File}: no metadata.name");
            var file = d.File["kubernetes/".Length..];
            // A manifest outside the kustomization needs a CRD the cluster may lack; its header says how to apply it.
            Assert.True(resources.Contains(file) || Read(d.File).Contains($"kubectl apply -f deploy/kubernetes/{file}", StringComparison.Ordinal),
                $"{d.File} is neither in kustomization.yaml nor says how to apply it");
        });
    }

    [Fact]
    public void JobsCanBeAppliedAgainAfterTheyFinish()
    {
        // A finished Job's template is immutable: `kubectl apply -k` with a new image fails on it unless it is gone.
        var jobs = KubernetesDocuments().Select(d => d.Document).OfType<Dictionary<object, object>>().Where(d => (string)d["kind"] == "Job").ToList();

        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, job => Assert.True(
            int.TryParse(Map(job["spec"], "spec").GetValueOrDefault("ttlSecondsAfterFinished")?.ToString(), out var ttl) && ttl > 0,
            $"Job {Map(job["metadata"], "")["name"]} has no ttlSecondsAfterFinished"));
    }

    [Fact]
    public void TheServiceMonitorScrapesMetricsFromEveryInstancePod()
    {
        var documents = KubernetesDocuments().Select(d => d.Document).OfType<Dictionary<object, object>>().ToList();
        var monitor = documents.Single(d => (string)d["kind"] == "ServiceMonitor");
        Assert.Equal("monitoring.coreos.com/v1", monitor["apiVersion"]);
        var spec = Map(monitor["spec"], "ServiceMonitor spec");
        var selector = Map(Map(spec["selector"], "selector")["matchLabels"], "matchLabels");
        var endpoint = Map(((List<object>)spec["endpoints"]).Single(), "endpoint");
        Assert.Equal("/metrics", endpoint["path"]); // PrimeBrokerApi: MapPrometheusScrapingEndpoint("/metrics")

        // The Service it selects (by the Service's own labels) has the endpoint's port and selects the instance pods.
        var service = documents.Single(d => (string)d["kind"] == "Service"
            && Map(d["metadata"], "").GetValueOrDefault("labels") is Dictionary<object, object> labels && selector.All(l => Equals(labels.GetValueOrDefault(l.Key), l.Value)));
        var serviceSpec = Map(service["spec"], "service spec");
        Assert.Contains(((List<object>)serviceSpec["ports"]).Select(p => Map(p, "port")), p => Equals(p["name"], endpoint["port"]) && Equals(p["targetPort"], "http"));
        var statefulSet = documents.Single(d => (string)d["kind"] == "StatefulSet");
        var podLabels = Map(Map(Map(Map(statefulSet["spec"], "")["template"], "")["metadata"], "")["labels"], "labels");
        Assert.All(Map(serviceSpec["selector"], "selector"), l => Assert.Equal(l.Value, podLabels[l.Key]));
        var container = Map(((List<object>)PodSpec(statefulSet)!["containers"]).Single(), "container");
        Assert.Contains(((List<object>)container["ports"]).Select(p => Map(p, "port")), p => Equals(p["name"], "http"));
    }

    [Fact]
    public void InstancesWaitForTheTopicsWithTheTopicsCommandOnTheSameCluster()
    {
        // Kubernetes: an init container of the instance pods runs `topics --verify --wait` against the pods' cluster.
        var pods = KubernetesContainers(KubernetesDocuments(), s_image.Command).Where(c => c.Source.Contains("StatefulSet", StringComparison.Ordinal)).ToList();
        var init = Assert.Single(pods, c => c.Source.Contains("init container", StringComparison.Ordinal));
        var instance = Assert.Single(pods, c => c.Args[0] == "run");
        AssertWaitsForTopics(init);
        Assert.Equal(Checker().Check(instance, s_image.Environment).Settings["Kafka:BootstrapServers"],
            Checker().Check(init, s_image.Environment).Settings["Kafka:BootstrapServers"]);

        // Compose: every instance depends on a one-shot service that runs the same check.
        var compose = (Dictionary<object, object>)ParseYaml(Read("compose.yaml")).Single()!;
        var services = Map(compose["services"], "services");
        var containers = ComposeContainers(Read("compose.yaml"), "compose.yaml", s_image.Command);
        foreach (var app in containers.Where(c => c.Args[0] == "run"))
        {
            var name = ServiceName(app);
            var dependencies = Map(Map(services[name], name)["depends_on"], $"{name} depends_on");
            var waiter = containers.Single(c => c.Args.SequenceEqual(["topics", "--verify", "--wait", "00:10:00"]));
            var waiterName = ServiceName(waiter);
            Assert.True(dependencies.ContainsKey(waiterName), $"{name} does not depend on {waiterName}");
            Assert.Equal("service_completed_successfully", Map(dependencies[waiterName], "")["condition"]);
            AssertWaitsForTopics(waiter);
        }
    }

    private static string ServiceName(AppContainer composeContainer) =>
        composeContainer.Source[(composeContainer.Source.IndexOf("services.", StringComparison.Ordinal) + "services.".Length)..];

    private static void AssertWaitsForTopics(AppContainer container)
    {
        Assert.Equal(["topics", "--verify", "--wait"], container.Args.Take(3));
        var checkedSettings = Checker().Check(container, s_image.Environment);
        Assert.Empty(checkedSettings.Problems);
        Assert.True(checkedSettings.Settings.TryGetValue("Topics:Wait", out var wait) && TimeSpan.Parse(wait, System.Globalization.CultureInfo.InvariantCulture) >= TimeSpan.FromMinutes(1),
            $"{container.Source}: waits {wait ?? "not at all"}");
    }

    /// <summary>The Host:ShutdownTimeout a container runs with: its own setting, else the option's default.</summary>
    private static TimeSpan ShutdownTimeoutOf(AppContainer container) =>
        Checker().Check(container, s_image.Environment).Settings.TryGetValue("Host:ShutdownTimeout", out var value)
            ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : App.Options.ShutdownOptions.DefaultTimeout;

    private static DeploySettingsChecker Checker() => new(s_catalog);

    private static string Report(string file, List<string> problems) =>
        $"{file} passes settings the host does not have:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems);
}
