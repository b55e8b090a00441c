using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Tests.Running;

/// <summary>
/// <c>POST /trades</c> on several instances: two <c>run</c> processes take trades for the same accounts at the same
/// time, a third joins while trades keep coming (so partitions move mid-stream), and every accepted trade must be
/// numbered once and applied once: no sequence number of an account is given twice, no gap stays open, nothing is
/// dead-lettered, and every account's positions equal the sum of its accepted trades. Then a dead letter re-driven
/// through every instance (forwarded to its account's owner) is applied once.
/// </summary>
/// <remarks>Without routing to the owner, two instances number one account from their own counters and repeat
/// numbers; without the read-back when a partition changes owner, the joining instance continues from counters read at
/// its start and repeats the numbers assigned since. Either way the topology skips the repeat as a resend and a
/// position comes out short.</remarks>
[Collection(ProcessTests.Name)]
public sealed class TradeRoutingProcessTests
{
    private const int Accounts = 12;
    private const int Instruments = 3;
    private const string TradeTopic = "trade-events-routing";
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task TradesPostedToEveryInstanceAreNumberedOnceAndAppliedOnceWhileAnInstanceJoins()
    {
        var directory = Scratch.NewDirectory("routing");
        var processes = new List<AppProcess>();
        try
        {
            var cluster = AppProcess.Start("dev-cluster", directory, null, "dev-cluster", "--Logging:LogLevel:Default=Warning");
            processes.Add(cluster);
            await cluster.WaitForLineAsync(l => l.StartsWith("connection file:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "connection file line");
            var info = DevClusterInfo.ReadFrom(Path.Combine(directory, ".dev-cluster.json"));
            await new DevClusterTopicProvisioner(info.TopicProvisioningUrl!).EnsureTopicsAsync([new TopicSpec(TradeTopic, 6, 3)]);
            using (var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = info.SchemaRegistryUrl }))
            using (var instruments = TestInstruments.Publisher(info.BootstrapServers, registry))
            {
                await instruments.SeedAsync(Instruments, CancellationToken.None);
            }

            var ports = Enumerable.Range(0, 3).Select(_ => Scratch.FreePort()).ToList();
            var clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(30) }).ToList();
            var instances = new List<AppProcess>();
            AppProcess StartInstance(int i)
            {
                var instance = InstanceProbe.StartRun(i, directory, info, ports[i], TradeTopic);
                processes.Add(instance);
                instances.Add(instance);
                return instance;
            }

            StartInstance(0);
            StartInstance(1);
            await InstanceProbe.WaitUntilAsync(async () => await InstanceProbe.ReadyTaskCountAsync(clients[0]) > 0 && await InstanceProbe.ReadyTaskCountAsync(clients[1]) > 0, s_settle, "both instances ready with tasks", instances);

            var book = new TradeBook();
            // Round 1: each account's trades go to both instances at once (pairs in parallel).
            await PostRoundAsync(book, round: 1, tradesPerAccount: 6, clients.Take(2).ToList(), instances);

            // Round 2 starts as the third instance starts: trades keep coming while its publisher reads the topic at
            // start and the group then moves partitions to it (503s during the move are retried with the same key).
            StartInstance(2);
            await PostRoundAsync(book, round: 2, tradesPerAccount: 10, clients.Take(2).ToList(), instances);
            await InstanceProbe.WaitUntilAsync(async () => await InstanceProbe.ReadyTaskCountAsync(clients[0]) > 0 && await InstanceProbe.ReadyTaskCountAsync(clients[1]) > 0 && await InstanceProbe.ReadyTaskCountAsync(clients[2]) > 0,
                s_settle, "all three instances ready with tasks", instances);

            // Round 3: every instance, the third included (it now owns partitions it took over mid-stream).
            await PostRoundAsync(book, round: 3, tradesPerAccount: 6, clients, instances);

            foreach (var (account, numbers) in book.Numbers)
            {
                var repeated = numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
                Assert.True(repeated.Count == 0, $"{account}: sequence numbers given twice: {string.Join(", ", repeated)} (all: {string.Join(", ", numbers.Order())})");
            }

            Assert.Equal(Accounts * 22, book.Accepted);
            await PositionsEqualAsync(clients[0], book, instances);
            await NoGapsAndNoDeadLettersAsync(clients[0], instances);
            await ReDrivenThroughEveryInstanceIsAppliedOnceAsync(clients, info, instances);
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            Scratch.Delete(directory);
        }
    }

    /// <summary>Posts <paramref name="tradesPerAccount"/> trades for every account, two at a time per account to two
    /// different instances, retrying 503 with the same body (and so the same idempotency key) until accepted.</summary>
    private static async Task PostRoundAsync(TradeBook book, int round, int tradesPerAccount, IReadOnlyList<HttpClient> clients, IReadOnlyList<AppProcess> instances)
    {
        var random = new Random(round);
        var plans = Enumerable.Range(0, Accounts).Select(a => Enumerable.Range(0, tradesPerAccount).Select(t =>
        {
            var quantity = random.Next(1, 100);
            return new
            {
                tradeId = $"T-{round}-{a}-{t}",
                accountId = InstrumentCatalog.AccountId(a),
                instrumentId = InstrumentCatalog.InstrumentId(random.Next(Instruments)),
                quantity = (decimal)quantity,
                price = random.Next(1000, 5000) / 100m,
                currency = "USD",
                side = random.Next(3) == 0 ? "SELL" : "BUY",
                idempotencyKey = $"K-{round}-{a}-{t}",
            };
        }).ToList()).ToList();

        await Task.WhenAll(plans.Select(async (trades, a) =>
        {
            for (var t = 0; t < trades.Count; t += 2)
            {
                var pair = trades.Skip(t).Take(2).Select((trade, k) => PostUntilAcceptedAsync(clients[(a + t / 2 + k) % clients.Count], trade, instances));
                foreach (var accepted in await Task.WhenAll(pair))
                {
                    book.Add(accepted.Account, accepted.Sequence);
                }
            }

            foreach (var trade in trades)
            {
                book.Expect(trade.accountId, trade.instrumentId, trade.side == "BUY" ? trade.quantity : -trade.quantity);
            }
        }));
    }

    private static async Task<(string Account, long Sequence)> PostUntilAcceptedAsync(HttpClient client, object trade, IReadOnlyList<AppProcess> instances)
    {
        (string, long)? accepted = null;
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/trades", trade);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.True(response.Headers.RetryAfter is not null, $"503 without Retry-After: {body}");
                return false;
            }

            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /trades on {client.BaseAddress}: {(int)response.StatusCode} {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            accepted = (answer.GetProperty("accountId").GetString()!, answer.GetProperty("sequenceNumber").GetInt64());
            return true;
        }, s_settle, $"202 for a trade posted to {client.BaseAddress}", instances);
        return accepted!.Value;
    }

    /// <summary>Every account's positions (from one instance, forwarded to the owners) equal its accepted trades summed.</summary>
    private static async Task PositionsEqualAsync(HttpClient client, TradeBook book, IReadOnlyList<AppProcess> instances)
    {
        var last = string.Empty;
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            foreach (var (account, expected) in book.Quantities)
            {
                using var response = await client.GetAsync($"/positions/{account}");
                var body = await response.Content.ReadAsStringAsync();
                last = $"{account}: {(int)response.StatusCode} {body}; expected {string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}";
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                var actual = JsonDocument.Parse(body).RootElement.GetProperty("positions").EnumerateArray()
                    .ToDictionary(p => p.GetProperty("instrumentId").GetString()!, p => p.GetProperty("quantity").Money());
                if (expected.Any(e => !actual.TryGetValue(e.Key, out var q) ? e.Value != 0 : q != e.Value))
                {
                    return false;
                }
            }

            return true;
        }, s_settle, () => $"positions equal to the accepted trades (last: {last})", instances);
    }

    /// <summary>A trade dead-lettered for a missing instrument is re-driven through every instance in turn (two of the
    /// three forward it to the owner of its account), until the owner's instrument table has the instrument and the
    /// trade is applied, then three times more: it is applied once, and a later trade of the account shows that every
    /// re-drive before it was processed.</summary>
    private static async Task ReDrivenThroughEveryInstanceIsAppliedOnceAsync(IReadOnlyList<HttpClient> clients, DevClusterInfo info,
        IReadOnlyList<AppProcess> instances)
    {
        var account = InstrumentCatalog.AccountId(2);
        var missing = InstrumentCatalog.InstrumentId(8);
        await PostUntilAcceptedAsync(clients[0], new
        {
            tradeId = "T-DLQ", accountId = account, instrumentId = missing, quantity = 7m, price = 12m, currency = "USD", side = "BUY", idempotencyKey = "K-DLQ",
        }, instances);
        string? id = null;
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            var dlq = await clients[1].GetFromJsonAsync<JsonElement>("/dlq");
            id = dlq.GetProperty("latest").EnumerateArray().Where(l => l.GetProperty("tradeId").GetString() == "T-DLQ")
                .Select(l => l.GetProperty("id").GetString()).FirstOrDefault();
            return id is not null;
        }, s_settle, "the trade dead-lettered", instances);

        using (var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = info.SchemaRegistryUrl }))
        using (var publisher = TestInstruments.Publisher(info.BootstrapServers, registry))
        {
            await publisher.PublishAsync([InstrumentCatalog.Instrument(8)], CancellationToken.None);
        }

        // Until the owner knows the instrument, a re-drive is dead-lettered again (correctly); its key keeps any number of
        // re-drives from applying the trade twice.
        var redrives = 0;
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            await RedriveAsync(clients[redrives++ % clients.Count], id!, instances);
            return await QuantityAsync(clients[0], account, missing) == 7m;
        }, s_settle, () => $"{account}/{missing} at 7 after {redrives} re-drives", instances);
        foreach (var client in clients)
        {
            await RedriveAsync(client, id!, instances);
        }

        // A later trade of the account in the same instrument: once the position shows it (7 + 1), every re-drive
        // before it in the account's sequence was processed; a re-drive applied twice would have passed 8.
        await PostUntilAcceptedAsync(clients[1], new
        {
            tradeId = "T-AFTER", accountId = account, instrumentId = missing, quantity = 1m, price = 12m, currency = "USD", side = "BUY",
        }, instances);
        var last = (decimal?)null;
        await InstanceProbe.WaitUntilAsync(async () => (last = await QuantityAsync(clients[2], account, missing)) == 8m, s_settle,
            () => $"{account}/{missing} at 8 (last {last})", instances);
    }

    /// <summary>POST /dlq/redrive until the letter is re-driven (an answer of "moving between instances" is retried).</summary>
    private static async Task RedriveAsync(HttpClient client, string id, IReadOnlyList<AppProcess> instances)
    {
        var last = "";
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/dlq/redrive", new { ids = new[] { id } });
            last = $"{client.BaseAddress}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            Assert.True(response.StatusCode == HttpStatusCode.OK, last);
            var result = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
            return result.GetProperty("redriven").GetBoolean();
        }, s_settle, () => $"a re-drive of {id} (last: {last})", instances);
    }

    private static async Task<decimal?> QuantityAsync(HttpClient client, string account, string instrument)
    {
        using var response = await client.GetAsync($"/positions/{account}/{instrument}");
        return response.StatusCode == HttpStatusCode.OK
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quantity").Money()
            : null;
    }

    private static async Task NoGapsAndNoDeadLettersAsync(HttpClient client, IReadOnlyList<AppProcess> instances)
    {
        var gaps = await client.GetFromJsonAsync<JsonElement>("/gaps");
        Assert.True(gaps.GetProperty("gaps").GetArrayLength() == 0, $"open gaps (a number assigned and never written): {gaps}");
        Assert.True(gaps.GetProperty("unreachableInstances").GetArrayLength() == 0, $"an instance did not answer /gaps: {gaps}\n{string.Join('\n', instances.Select(i => i.Describe()))}");
        var dlq = await client.GetFromJsonAsync<JsonElement>("/dlq");
        Assert.True(dlq.GetProperty("total").GetInt32() == 0, $"dead letters: {dlq}");
    }

    /// <summary>What the instances accepted: the sequence numbers they gave each account, and the expected quantity
    /// per (account, instrument). Thread-safe.</summary>
    private sealed class TradeBook
    {
        private int _accepted;

        internal ConcurrentDictionary<string, ConcurrentBag<long>> Numbers { get; } = new();

        internal ConcurrentDictionary<string, ConcurrentDictionary<string, decimal>> Quantities { get; } = new();

        internal int Accepted => Volatile.Read(ref _accepted);

        internal void Add(string account, long sequence)
        {
            Numbers.GetOrAdd(account, _ => []).Add(sequence);
            Interlocked.Increment(ref _accepted);
        }

        internal void Expect(string account, string instrument, decimal signedQuantity) =>
            Quantities.GetOrAdd(account, _ => new()).AddOrUpdate(instrument, signedQuantity, (_, q) => q + signedQuantity);
    }
}
