using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Confluent.SchemaRegistry;
using PrimeBroker.Streams.App.Cluster;
using PrimeBroker.Streams.App.Generation;
using PrimeBroker.Streams.Brokerage.Publishing;
using PrimeBroker.Streams.Contracts;
using PrimeBroker.Streams.Engine.Topics;

namespace PrimeBroker.Streams.App.Tests.Running;

/// <summary>
/// The deployment in small: a <c>dev-cluster</c> process and three <c>run</c> processes with their own state
/// directories. Every account's positions, queried from one instance, equal an oracle; then one instance is killed
/// with SIGKILL and the survivors answer every position correctly (503 only while the partitions move).
/// </summary>
[Collection(ProcessTests.Name)]
public sealed class MultiInstanceProcessTests
{
    private const int Accounts = 30;
    private const int Instruments = 5;
    private const int TradesPerAccount = 20;
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(240);

    // Six partitions instead of the catalog's 20 keep the restores of every rebalance short on a shared 2-core machine;
    // the placement, forwarding and takeover logic is the same for any count.
    private const string TradeTopic = "trade-events-six";

    [Fact]
    public async Task PositionsFromAnyInstanceEqualTheOracleBeforeAndAfterAnInstanceIsKilled()
    {
        var directory = Scratch.NewDirectory("multi");
        var processes = new List<AppProcess>();
        try
        {
            var connectionFile = Path.Combine(directory, ".dev-cluster.json");
            var cluster = AppProcess.Start("dev-cluster", directory, null, "dev-cluster", "--Logging:LogLevel:Default=Warning");
            processes.Add(cluster);
            await cluster.WaitForLineAsync(l => l.StartsWith("connection file:", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "connection file line");
            var info = DevClusterInfo.ReadFrom(connectionFile);
            await new DevClusterTopicProvisioner(info.TopicProvisioningUrl!).EnsureTopicsAsync([new TopicSpec(TradeTopic, 6, 3)]);

            var oracle = await PublishAsync(info);

            var ports = Enumerable.Range(0, 3).Select(_ => Scratch.FreePort()).ToList();
            var instances = ports.Select((port, i) =>
            {
                var instance = InstanceProbe.StartRun(i, directory, info, port, TradeTopic);
                processes.Add(instance);
                return instance;
            }).ToList();
            var clients = ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(30) }).ToList();

            // All three ready and each holding tasks: the group has settled with every instance owning partitions.
            await InstanceProbe.WaitUntilAsync(async () =>
            {
                foreach (var client in clients)
                {
                    if (await InstanceProbe.ReadyTaskCountAsync(client) is not { } tasks || tasks == 0)
                    {
                        return false;
                    }
                }

                return true;
            }, s_settle, "all three instances ready with tasks", instances);

            // Every account from instance 0 (most are forwarded to their owners) equals the oracle.
            await AllEqualOracleAsync([clients[0]], oracle, s_settle, instances, strictAfterFirstMatch: false);

            instances[2].KillHard();

            // The survivors: during the rebalance 503 is allowed, a wrong or missing position never.
            await AllEqualOracleAsync([clients[0], clients[1]], oracle, s_settle, instances, strictAfterFirstMatch: true);
            Assert.Equal(0, await InstanceProbe.ReadyTaskCountAsync(clients[0]) is > 0 ? 0 : 1);
            Assert.Equal(0, await InstanceProbe.ReadyTaskCountAsync(clients[1]) is > 0 ? 0 : 1);
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

    /// <summary>Polls every account on every client until each answered 200 with exactly the oracle's positions.</summary>
    /// <param name="strictAfterFirstMatch">When true (all input processed and committed before), any 200 that differs
    /// from the oracle and any 404 fails at once: only 503 may be retried.</param>
    private static async Task AllEqualOracleAsync(IReadOnlyList<HttpClient> clients, Dictionary<string, Dictionary<string, ExpectedPosition>> oracle,
        TimeSpan timeout, IReadOnlyList<AppProcess> instances, bool strictAfterFirstMatch)
    {
        var pending = clients.SelectMany(c => oracle.Keys.Select(a => (Client: c, Account: a))).ToList();
        var unavailable = 0;
        var last = string.Empty;
        await InstanceProbe.WaitUntilAsync(async () =>
        {
            foreach (var (client, account) in pending.ToList())
            {
                using var response = await client.GetAsync($"/positions/{account}");
                var body = await response.Content.ReadAsStringAsync();
                last = $"{client.BaseAddress} {account}: {(int)response.StatusCode} {body}";
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.True(response.Headers.RetryAfter is not null, $"503 without Retry-After: {last}");
                    unavailable++;
                    continue;
                }

                if (strictAfterFirstMatch)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"only 200 or 503 are allowed: {last}");
                }
                else if (response.StatusCode != HttpStatusCode.OK)
                {
                    continue;
                }

                var mismatch = Compare(account, oracle[account], JsonDocument.Parse(body).RootElement);
                if (mismatch is null)
                {
                    pending.Remove((client, account));
                }
                else
                {
                    Assert.False(strictAfterFirstMatch, $"a wrong answer: {mismatch}\n{last}");
                }
            }

            return pending.Count == 0;
        }, timeout, () => $"every account equal to the oracle ({pending.Count} left, {unavailable} answers were 503; last: {last})", instances);
    }

    private static string? Compare(string account, Dictionary<string, ExpectedPosition> expected, JsonElement answer)
    {
        var actual = answer.GetProperty("positions").EnumerateArray().ToDictionary(
            p => p.GetProperty("instrumentId").GetString()!,
            p => new ExpectedPosition(p.GetProperty("quantity").Money(), p.GetProperty("averageCost").Money(), p.GetProperty("realizedPnl").Money()));
        foreach (var (instrument, position) in expected)
        {
            if (!actual.TryGetValue(instrument, out var got) || got != position)
            {
                return $"{account}/{instrument}: expected {position}, got {(actual.TryGetValue(instrument, out var g) ? g.ToString() : "nothing")}";
            }
        }

        return actual.Count == expected.Count ? null : $"{account}: expected {expected.Count} positions, got {actual.Count}";
    }

    /// <summary>Seeds the instruments, publishes the trades (and some duplicates by idempotency key, which must not
    /// count), and returns the expected positions by the average-cost method (rounding half-even to 8 places).</summary>
    private static async Task<Dictionary<string, Dictionary<string, ExpectedPosition>>> PublishAsync(DevClusterInfo info)
    {
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = info.SchemaRegistryUrl });
        using (var instruments = TestInstruments.Publisher(info.BootstrapServers, registry))
        {
            await instruments.SeedAsync(Instruments, CancellationToken.None);
        }

        var random = new Random(7);
        var oracle = new Dictionary<string, Dictionary<string, ExpectedPosition>>();
        await using var publisher = await TradePublisher.StartAsync(new TradePublisherOptions { BootstrapServers = info.BootstrapServers, Topic = TradeTopic }, registry);
        var sends = new List<Task<PublishedTrade>>();
        for (var t = 0; t < TradesPerAccount; t++)
        {
            for (var a = 0; a < Accounts; a++)
            {
                var account = InstrumentCatalog.AccountId(a);
                var instrument = InstrumentCatalog.InstrumentId(random.Next(Instruments));
                var quantity = (decimal)random.Next(1, 51);
                var price = random.Next(1000, 20001) / 100m;
                var buy = random.Next(2) == 0;
                var trade = new TradeCreated
                {
                    tradeId = $"T-{a}-{t}",
                    accountId = account,
                    instrumentId = instrument,
                    quantity = Money.ToAvro(quantity),
                    price = Money.ToAvro(price),
                    currency = "USD",
                    side = buy ? TradeSide.BUY : TradeSide.SELL,
                    timestamp = DateTime.UtcNow,
                    idempotencyKey = $"K-{a}-{t}",
                };
                sends.Add(publisher.PublishAsync(trade));
                if (t % 7 == 3)
                {
                    // The same trade again under its idempotency key: skipped by the topology.
                    sends.Add(publisher.PublishAsync(TradeGenerator.Copy(trade)));
                }

                var positions = oracle.TryGetValue(account, out var p) ? p : oracle[account] = new();
                positions[instrument] = (positions.TryGetValue(instrument, out var current) ? current : ExpectedPosition.Flat)
                    .Apply(buy ? quantity : -quantity, price);
            }
        }

        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(60));
        return oracle;
    }

    /// <summary>The oracle's position: the average-cost method as topology/README.md documents it (cost basis and realized
    /// P&amp;L kept exact, rounded half-even to 8 places only when reported), written independently with exact fractions.
    /// Equality compares the reported figures only.</summary>
    private sealed record ExpectedPosition(decimal Quantity, decimal AverageCost, decimal RealizedPnl)
    {
        internal static readonly ExpectedPosition Flat = new(0m, 0m, 0m);

        private (BigInteger Num, BigInteger Den) _cost = (0, 1);
        private (BigInteger Num, BigInteger Den) _realized = (0, 1);

        public bool Equals(ExpectedPosition? other) =>
            other is not null && Quantity == other.Quantity && AverageCost == other.AverageCost && RealizedPnl == other.RealizedPnl;

        public override int GetHashCode() => HashCode.Combine(Quantity, AverageCost, RealizedPnl);

        internal ExpectedPosition Apply(decimal delta, decimal price)
        {
            var cost = _cost;
            var realized = _realized;
            var q = Quantity + delta;
            if (Quantity == 0 || Math.Sign(Quantity) == Math.Sign(delta))
            {
                cost = Add(cost, Exact(Math.Abs(delta) * price));
            }
            else
            {
                var closed = Math.Min(Math.Abs(delta), Math.Abs(Quantity));
                var relieved = Divide(Multiply(cost, Exact(closed)), Exact(Math.Abs(Quantity)));
                var gain = Add(Exact(closed * price), Negate(relieved));
                realized = Add(realized, Math.Sign(Quantity) > 0 ? gain : Negate(gain));
                cost = Add(cost, Negate(relieved));
                if (Math.Abs(delta) > Math.Abs(Quantity))
                {
                    cost = Exact((Math.Abs(delta) - Math.Abs(Quantity)) * price);
                }
            }

            if (q == 0)
            {
                cost = (0, 1);
            }

            var average = q == 0 ? 0m : Round(Divide(cost, Exact(Math.Abs(q))));
            return new ExpectedPosition(q, average, Round(realized)) { _cost = cost, _realized = realized };
        }

        private static (BigInteger, BigInteger) Exact(decimal value)
        {
            var bits = decimal.GetBits(value);
            var scale = (bits[3] >> 16) & 0xFF;
            var magnitude = new BigInteger((uint)bits[0]) + (new BigInteger((uint)bits[1]) << 32) + (new BigInteger((uint)bits[2]) << 64);
            return (value < 0 ? -magnitude : magnitude, BigInteger.Pow(10, scale));
        }

        private static (BigInteger, BigInteger) Add((BigInteger Num, BigInteger Den) a, (BigInteger Num, BigInteger Den) b) =>
            Reduce((a.Num * b.Den) + (b.Num * a.Den), a.Den * b.Den);

        private static (BigInteger, BigInteger) Multiply((BigInteger Num, BigInteger Den) a, (BigInteger Num, BigInteger Den) b) =>
            Reduce(a.Num * b.Num, a.Den * b.Den);

        private static (BigInteger, BigInteger) Divide((BigInteger Num, BigInteger Den) a, (BigInteger Num, BigInteger Den) b) =>
            Reduce(a.Num * b.Den, a.Den * b.Num);

        private static (BigInteger, BigInteger) Negate((BigInteger Num, BigInteger Den) a) => (-a.Num, a.Den);

        private static (BigInteger, BigInteger) Reduce(BigInteger num, BigInteger den)
        {
            if (den < 0)
            {
                (num, den) = (-num, -den);
            }

            var gcd = BigInteger.GreatestCommonDivisor(num, den);
            return gcd.IsZero ? (0, 1) : (num / gcd, den / gcd);
        }

        /// <summary>Half-even to 8 places.</summary>
        private static decimal Round((BigInteger Num, BigInteger Den) value)
        {
            var scaled = value.Num * 100_000_000;
            var quotient = BigInteger.DivRem(BigInteger.Abs(scaled), value.Den, out var remainder);
            var twice = remainder * 2;
            if (twice > value.Den || (twice == value.Den && !quotient.IsEven))
            {
                quotient += 1;
            }

            return (decimal)(scaled < 0 ? -quotient : quotient) / 100_000_000m;
        }
    }
}
