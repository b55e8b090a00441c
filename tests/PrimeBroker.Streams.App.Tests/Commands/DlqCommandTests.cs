using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Commands;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Tests.Commands;

/// <summary>
/// <c>dlq</c> through the command line's own code path, in this process, against an in-process <c>dev-cluster</c> and
/// an in-process <c>run</c> instance: a trade dead-lettered because its instrument is missing is listed and decoded;
/// once the instrument exists it is re-driven and applied exactly once; re-driving it a second time (through the
/// instance's API) republishes it but the topology never applies it twice.
/// </summary>
public sealed class DlqCommandTests(DevClusterFixture cluster) : IClassFixture<DevClusterFixture>
{
    private const string Account = "ACC-00001";
    private const string ProbeAccount = "ACC-00002";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task ATradeDeadLetteredForAMissingInstrumentIsAppliedOnceAfterTheInstrumentIsAddedHoweverOftenItIsReDriven()
    {
        var info = cluster.Info;
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = info.SchemaRegistryUrl });
        using (var instruments = TestInstruments.Publisher(info.BootstrapServers, registry))
        {
            await instruments.SeedAsync(3, CancellationToken.None); // INS-0001..INS-0003; INS-0009 is missing
        }

        var port = Scratch.FreePort();
        var stateDirectory = Scratch.NewDirectory("dlq-state");
        using var stop = new CancellationTokenSource();
        var runOutput = new StringWriter();
        var runError = new StringWriter();
        var instance = HostCommandLine.RunAsync(["run", "--dev-cluster-file", cluster.File, "--application-server", $"127.0.0.1:{port}",
            "--urls", $"http://127.0.0.1:{port}", "--state-dir", stateDirectory, "--Streams:CommitInterval", "00:00:00.050",
            "--Logging:LogLevel:Default=Warning"], runOutput, runError, stop.Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            await WaitUntilAsync(async () => await StatusOf(http, "/health/ready") == HttpStatusCode.OK, "the instance ready", instance, runError);

            // Upstream writes two trades of the account; the second names an instrument nobody has published.
            await PublishUpstreamAsync(registry, Trade("T-1", Account, "INS-0001", 10m, "K-T-1"), Trade("T-2", Account, "INS-0009", 7m, "K-T-2"));
            JsonElement letters = default;
            await WaitUntilAsync(async () => (letters = await http.GetFromJsonAsync<JsonElement>("/dlq")).GetProperty("total").GetInt32() > 0,
                "the trade dead-lettered", instance, runError);
            var letter = Assert.Single(letters.GetProperty("latest").EnumerateArray());
            Assert.Equal("UnknownInstrument", letter.GetProperty("reason").GetString());
            Assert.Equal("T-2", letter.GetProperty("tradeId").GetString());
            var id = letter.GetProperty("id").GetString()!;
            await PositionIsAsync(http, Account, "INS-0001", 10m, instance, runError);

            // dlq lists it by reason and decodes it.
            var list = await cluster.RunAsync(s_timeout, "dlq");
            Assert.True(list.ExitCode == HostCommandLine.Success, list.Error);
            Assert.Contains("dead letters: 1", list.Output);
            Assert.Matches(@"UnknownInstrument\s+1", list.Output);
            Assert.Contains($"{Account} T-2 INS-0009 seq 2", list.Output);
            var show = await cluster.RunAsync(s_timeout, "dlq", "--show", id);
            Assert.True(show.ExitCode == HostCommandLine.Success, show.Error);
            Assert.Contains("\"tradeId\": \"T-2\"", show.Output);

            // The cause is fixed: the instrument is published. A probe trade of another account shows the instance's
            // instrument table has it (re-driving before that would dead-letter the trade again, correctly).
            using (var instruments = TestInstruments.Publisher(info.BootstrapServers, registry))
            {
                await instruments.PublishAsync([InstrumentCatalog.Instrument(8)], CancellationToken.None);
            }

            await PublishUpstreamAsync(registry, Trade("P-1", ProbeAccount, "INS-0009", 1m, "K-P-1"));
            await PositionIsAsync(http, ProbeAccount, "INS-0009", 1m, instance, runError);

            // First re-drive: the command's own publisher (no instance numbers this account meanwhile).
            var first = await cluster.RunAsync(s_timeout, "dlq", "--redrive", id);
            Assert.True(first.ExitCode == HostCommandLine.Success, first.Error);
            Assert.Contains($"re-driven  {id}", first.Output);
            Assert.Contains("as sequence 3, idempotency key K-T-2", first.Output);
            await PositionIsAsync(http, Account, "INS-0009", 7m, instance, runError);

            // Second re-drive, through the running instance: numbered there (after reading the partition back, so it
            // continues after the first re-drive's number), republished with the same key, and skipped by the topology.
            var second = await cluster.RunAsync(s_timeout, "dlq", "--redrive", id, "--api", $"http://127.0.0.1:{port}");
            Assert.True(second.ExitCode == HostCommandLine.Success, second.Error);
            Assert.Contains("as sequence 4, idempotency key K-T-2", second.Output);

            // A later trade of the account through the API: once it is applied, everything before it in the account's
            // sequence was processed, the second re-drive included.
            using (var marker = await http.PostAsJsonAsync("/trades", new
            {
                tradeId = "T-3", accountId = Account, instrumentId = "INS-0002", quantity = 1m, price = 20m, currency = "USD", side = "BUY",
            }))
            {
                Assert.True(marker.StatusCode == HttpStatusCode.Accepted, await marker.Content.ReadAsStringAsync());
                Assert.Equal(5, (await marker.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequenceNumber").GetInt64());
            }

            await PositionIsAsync(http, Account, "INS-0002", 1m, instance, runError);
            var position = await http.GetFromJsonAsync<JsonElement>($"/positions/{Account}/INS-0009");
            Assert.Equal(7m, position.GetProperty("quantity").Money());
            Assert.Equal(1, (await http.GetFromJsonAsync<JsonElement>("/dlq")).GetProperty("total").GetInt32());
            Assert.Empty((await http.GetFromJsonAsync<JsonElement>("/gaps")).GetProperty("gaps").EnumerateArray());
        }
        finally
        {
            await stop.CancelAsync();
            var exit = await instance.WaitAsync(s_timeout);
            Assert.True(exit == HostCommandLine.Success, $"run exited {exit}: {runError}");
            Scratch.Delete(stateDirectory);
        }
    }

    private static TradeCreated Trade(string tradeId, string account, string instrument, decimal quantity, string key) => new()
    {
        tradeId = tradeId,
        accountId = account,
        instrumentId = instrument,
        quantity = Money.ToAvro(quantity),
        price = Money.ToAvro(25m),
        currency = "USD",
        side = TradeSide.BUY,
        timestamp = DateTime.UtcNow,
        idempotencyKey = key,
    };

    /// <summary>An upstream system's publisher: numbers after what the topic holds, then goes away.</summary>
    private async Task PublishUpstreamAsync(ISchemaRegistryClient registry, params TradeCreated[] trades)
    {
        await using var publisher = await TradePublisher.StartAsync(new TradePublisherOptions { BootstrapServers = cluster.Info.BootstrapServers }, registry);
        foreach (var trade in trades)
        {
            await publisher.PublishAsync(trade).WaitAsync(s_timeout);
        }
    }

    private static async Task PositionIsAsync(HttpClient http, string account, string instrument, decimal quantity, Task<int> instance, StringWriter runError)
    {
        var last = "";
        await WaitUntilAsync(async () =>
        {
            using var response = await http.GetAsync($"/positions/{account}/{instrument}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.OK &&
                   (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quantity").Money() == quantity;
        }, () => $"{account}/{instrument} at {quantity} (last: {last})", instance, runError);
    }

    private static async Task<HttpStatusCode?> StatusOf(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what, Task<int> instance, StringWriter runError) =>
        WaitUntilAsync(condition, () => what, instance, runError);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what, Task<int> instance, StringWriter runError)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        using var timer = new PeriodicTimer(s_poll);
        while (!await condition())
        {
            Assert.False(instance.IsCompleted, $"the run instance stopped ({(instance.IsCompletedSuccessfully ? instance.Result : -1)}): {runError}");
            Assert.True(DateTime.UtcNow < deadline, $"no {what()} within {s_timeout.TotalSeconds} s; run's errors: {runError}");
            await timer.WaitForNextTickAsync();
        }
    }
}
