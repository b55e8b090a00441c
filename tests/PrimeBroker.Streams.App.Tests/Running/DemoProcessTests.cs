using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PrimeBroker.Streams.App.Tests.Running;

/// <summary><c>demo</c> as a user runs it: the built program in its own process, its console, its HTTP API, Ctrl-C.</summary>
[Collection(ProcessTests.Name)]
public sealed partial class DemoProcessTests
{
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(150);

    [GeneratedRegex(@"^status: in (?<in>[\d.]+)/s applied (?<applied>[\d.]+)/s .*\| (?<state>\w+)( \| fullest .*)?$")]
    private static partial Regex StatusLine();

    /// <summary>The latency figures of a status line once trades were measured (before, they read "- ms").</summary>
    [GeneratedRegex(@"\| p50 \d+ ms p99 \d+ ms \|")]
    private static partial Regex LatencyFigures();

    [Fact]
    public async Task PrintsTheDashboardAndStatusLinesAnswersQueriesAndStopsOnCtrlCWithExitCodeZeroWithinTenSeconds()
    {
        var directory = Scratch.NewDirectory("demo");
        using var demo = AppProcess.Start("demo", directory, null,
            "demo", "--urls", "http://127.0.0.1:0", "--rate", "40", "--accounts", "20", "--Streams:CommitInterval", "00:00:00.050",
            // The stop's bound (default 30 s, sized for a real cluster); the 10 s below leave 2 s for the process's exit.
            "--Host:ShutdownTimeout", "00:00:08");
        try
        {
            var (dashboardLine, _) = await demo.WaitForLineAsync(l => l.StartsWith("dashboard: http://127.0.0.1:", StringComparison.Ordinal), s_start, "dashboard line");
            var baseUrl = dashboardLine["dashboard: ".Length..];

            // Status lines every second; trades get applied once the tasks run.
            var (first, index) = await demo.WaitForLineAsync(l => StatusLine().IsMatch(l), s_start, "status line");
            var (running, _) = await demo.WaitForLineAsync(
                l => StatusLine().Match(l) is { Success: true } m && m.Groups["state"].Value == "Running" && double.Parse(m.Groups["applied"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0,
                s_start, "status line of a running demo with trades applied", index);
            Assert.Contains("dlq ", running);
            Assert.Contains("p99 ", running);
            Assert.Contains("headroom ", running);

            // Trade -> position latency is measured and shown as figures (their values belong to the bench, not a test).
            await demo.WaitForLineAsync(l => StatusLine().IsMatch(l) && LatencyFigures().IsMatch(l), s_start, "status line with p50/p99 latency figures", index);

            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

            // 20 accounts at 40 trades/s: every account has traded by now, or soon.
            var positions = await GetPositionsAsync(http, "ACC-00001");
            Assert.Equal("ACC-00001", positions.GetProperty("accountId").GetString());
            Assert.True(positions.GetProperty("positions").GetArrayLength() > 0);
            var position = positions.GetProperty("positions")[0];
            var instrument = position.GetProperty("instrumentId").GetString()!;
            var one = await http.GetAsync($"/positions/ACC-00001/{instrument}");
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/positions/ACC-NOBODY")).StatusCode);

            var invalid = await http.PostAsJsonAsync("/trades", new { tradeId = "T 1", quantity = -1, side = "HOLD" });
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
            foreach (var field in new[] { "tradeId", "accountId", "instrumentId", "quantity", "price", "currency", "side" })
            {
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the 400 must name {field}: {problem}");
            }

            var accepted = await http.PostAsJsonAsync("/trades", new { tradeId = "T-TEST-1", accountId = "ACC-09999", instrumentId = "INS-0001", quantity = 3, price = 12.5m, currency = "USD", side = "BUY" });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            var placed = await GetPositionsAsync(http, "ACC-09999");
            Assert.Equal(3m, placed.GetProperty("positions")[0].GetProperty("quantity").Money());

            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("kafka_streams_commit_total", metrics); // the engine's meter
            Assert.Contains("pb_events_applied_total", metrics); // the domain's meter
            Assert.Contains("pb_trade_to_position_duration_seconds_bucket", metrics); // the latency histogram
            Assert.Contains("/positions/{accountId}", await http.GetStringAsync("/openapi/v1.json"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/gaps")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dlq")).StatusCode);

            demo.Interrupt();
            Assert.True(await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)), $"demo did not stop within 10 s of Ctrl-C.\n{demo.Describe()}");
            Assert.True(demo.ExitCode == 0, $"exit code {demo.ExitCode}.\n{demo.Describe()}");
            Assert.DoesNotContain("failed", demo.StandardError);
            _ = first;
        }
        finally
        {
            Scratch.Delete(directory);
        }
    }

    /// <summary>GET /positions/{account}, retrying 404 (no trade applied yet) and 503 (assignment moving) for a bounded time.</summary>
    private static async Task<JsonElement> GetPositionsAsync(HttpClient http, string account)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            using var response = await http.GetAsync($"/positions/{account}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable,
                $"unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.True(DateTime.UtcNow < deadline, $"{account} has no positions after 60 s (last {(int)response.StatusCode})");
            await poll.WaitForNextTickAsync();
        }
    }
}

/// <summary>Tests that start OS processes of the program run one at a time: each takes both cores for a while.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTests
{
    public const string Name = "program processes";
}
