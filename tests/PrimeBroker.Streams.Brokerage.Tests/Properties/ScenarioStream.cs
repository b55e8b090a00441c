using Avro.Specific;
using PrimeBroker.Streams.Brokerage.Tests.Fixtures;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.Brokerage.Tests.Properties;

/// <summary>One record of a generated stream as the producers sent it.</summary>
/// <param name="Account">The record key.</param>
/// <param name="Record">The event, or null for a corrupt record (then <paramref name="Raw"/> holds its bytes).</param>
/// <param name="Conflict">Another trade under an already delivered sequence number (a conflicting duplicate).</param>
public sealed record Delivery(string Account, ISpecificRecord? Record, byte[]? Raw = null, bool Conflict = false);

/// <summary>
/// Turns a <see cref="Scenario"/> into events: each account's steps numbered 1..n (its logical stream, what the oracle
/// reads), and the delivery order with duplicates, swaps, delays, interleaving and corrupt records (what the topology
/// reads). Every sequence number is delivered at least once, except an account's lost event (a permanent gap, which the
/// operator may resolve).
/// </summary>
public static class ScenarioStream
{
    /// <summary>Instrument i of the scenario: id and currency. All are in the instrument table.</summary>
    public static readonly (string Id, string Currency)[] Instruments = [("I0", "USD"), ("I1", "USD"), ("I2", "EUR"), ("I3", "GBP")];

    public static string AccountId(int index) => $"A{index}";

    /// <summary>The logical events of every account, in sequence order.</summary>
    public static IReadOnlyList<IReadOnlyList<ISpecificRecord>> LogicalEvents(Scenario scenario)
    {
        var result = new List<IReadOnlyList<ISpecificRecord>>();
        for (int a = 0; a < scenario.Accounts.Count; a++)
        {
            string account = AccountId(a);
            var events = new List<ISpecificRecord>();
            var createdTradeIds = new List<string>();
            IReadOnlyList<Step> steps = scenario.Accounts[a].Steps;
            for (int i = 0; i < steps.Count; i++)
            {
                long sequence = i + 1;
                Step step = steps[i];
                DateTime time = Events.Monday.AddDays(scenario.SpreadTime ? 4 * a : 0).AddMinutes(i);
                string key = $"{account}-K{sequence}";
                decimal quantity = step.Fault switch
                {
                    Fault.ZeroQuantity => 0m,
                    Fault.TinyNotional => 0.00000001m,
                    _ => step.QuantityUnits * (step.Fine ? 0.01234567m : 0.25m),
                };
                decimal price = step.Fault == Fault.TinyNotional ? 0.4m : step.PriceTicks * (step.Fine ? 0.00731093m : 0.01m);
                switch (step.Kind)
                {
                    case StepKind.Create:
                    {
                        var (instrument, currency) = Instruments[step.Instrument];
                        string tradeId = step.Fault switch
                        {
                            Fault.MissingTradeId => "",
                            Fault.ReuseTradeId when createdTradeIds.Count > 0 => createdTradeIds[step.Target % createdTradeIds.Count],
                            _ => $"{account}-T{sequence}",
                        };
                        createdTradeIds.Add(tradeId);
                        events.Add(Events.Created(account, sequence, tradeId,
                            instrument: step.Fault == Fault.UnknownInstrument ? "NOPE" : instrument,
                            side: step.Buy ? TradeSide.BUY : TradeSide.SELL,
                            quantity: quantity,
                            price: price,
                            currency: step.Fault switch { Fault.BadCurrency => "usd", Fault.CurrencyMismatch => currency == "USD" ? "EUR" : "USD", _ => currency },
                            idempotencyKey: key,
                            time: time));
                        break;
                    }

                    case StepKind.Amend:
                        events.Add(Events.Amended(account, sequence, Target(step, account, createdTradeIds, scenario.Accounts.Count), quantity, price, key, time));
                        break;
                    case StepKind.Cancel:
                        events.Add(Events.Cancelled(account, sequence, Target(step, account, createdTradeIds, scenario.Accounts.Count), key, time));
                        break;
                    case StepKind.Retry when i > 0:
                        events.Add(Resequenced(events[step.Target % i], sequence));
                        break;
                    case StepKind.Retry:
                        events.Add(Events.Cancelled(account, sequence, $"{account}-NONE", key, time)); // nothing to retry yet
                        break;
                    case StepKind.ReuseKey:
                    {
                        var (instrument, currency) = Instruments[step.Instrument];
                        events.Add(Events.Created(account, sequence, $"{account}-T{sequence}", instrument, step.Buy ? TradeSide.BUY : TradeSide.SELL, quantity, price, currency,
                            i > 0 ? IdempotencyKeyOf(events[step.Target % i]) : key, time));
                        createdTradeIds.Add($"{account}-T{sequence}");
                        break;
                    }
                }
            }

            result.Add(events);
        }

        return result;
    }

    /// <summary>The events each account's sequencing passes on, in sequence order: what the oracle reads.</summary>
    public static IReadOnlyList<IReadOnlyList<ISpecificRecord>> ProcessedEvents(Scenario scenario, IReadOnlyList<IReadOnlyList<ISpecificRecord>> logical) =>
        [.. logical.Select((events, a) => (IReadOnlyList<ISpecificRecord>)[.. scenario.Accounts[a].ProcessedSteps.Select(i => events[i])])];

    /// <summary>The delivery order: per account perturbed, a lost event removed and the operator's resolution appended,
    /// then interleaved, with corrupt records mixed in.</summary>
    public static IReadOnlyList<Delivery> Deliveries(Scenario scenario, IReadOnlyList<IReadOnlyList<ISpecificRecord>> logical)
    {
        var queues = new List<Queue<Delivery>>();
        for (int a = 0; a < logical.Count; a++)
        {
            var order = logical[a].Select(e => new Delivery(AccountId(a), e)).ToList();
            foreach (var (kind, at, by) in scenario.Accounts[a].Perturbations)
            {
                int i = at % order.Count;
                switch (kind)
                {
                    case Perturbation.Duplicate:
                        order.Insert(Math.Min(order.Count, i + by), order[i]);
                        break;
                    case Perturbation.Swap when i + 1 < order.Count:
                        (order[i], order[i + 1]) = (order[i + 1], order[i]);
                        break;
                    case Perturbation.Delay:
                        Delivery moved = order[i];
                        order.RemoveAt(i);
                        order.Insert(Math.Min(order.Count, i + by), moved);
                        break;
                }
            }

            AccountScript script = scenario.Accounts[a];
            if (script.LostAt >= 0)
            {
                ISpecificRecord lost = logical[a][script.LostAt];
                order.RemoveAll(d => ReferenceEquals(d.Record, lost));
                if (script.Resolve)
                {
                    for (int copy = 0; copy < (script.ResolveTwice ? 2 : 1); copy++)
                    {
                        order.Add(new Delivery(AccountId(a), Events.ResolveGap(AccountId(a), script.LostAt + 1, commandId: $"{AccountId(a)}-resolve")));
                    }
                }
            }

            // After the other perturbations: another trade under a number, somewhere after the number's last delivery.
            foreach (var (_, at, by) in scenario.Accounts[a].Perturbations.Where(p => p.Kind == Perturbation.Conflict))
            {
                int i = at % logical[a].Count;
                int last = order.FindLastIndex(d => ReferenceEquals(d.Record, logical[a][i]));
                if (last >= 0)
                {
                    order.Insert(Math.Min(order.Count, last + by), new Delivery(AccountId(a), ConflictingCopy(logical[a][i], i + 1), Conflict: true));
                }
            }

            queues.Add(new Queue<Delivery>(order));
        }

        var merged = new List<Delivery>();
        int choice = 0;
        while (queues.Any(q => q.Count > 0))
        {
            int pick = scenario.Interleave.Count == 0 ? 0 : scenario.Interleave[choice++ % scenario.Interleave.Count];
            Queue<Delivery> queue = Enumerable.Range(0, queues.Count).Select(k => queues[(pick + k) % queues.Count]).First(q => q.Count > 0);
            merged.Add(queue.Dequeue());
        }

        foreach (int at in scenario.Garbage)
        {
            int i = at % (merged.Count + 1);
            merged.Insert(i, new Delivery(AccountId(at % logical.Count), null, [0xFF, 0x00, 0x01, (byte)at]));
        }

        return merged;
    }

    private static string Target(Step step, string account, List<string> createdTradeIds, int accountCount)
    {
        if (step.Fault == Fault.OtherAccountsTrade)
        {
            int other = (int.Parse(account[1..], System.Globalization.CultureInfo.InvariantCulture) + 1) % accountCount;
            return $"{AccountId(other)}-T1";
        }

        return createdTradeIds.Count == 0 ? $"{account}-NONE" : createdTradeIds[step.Target % createdTradeIds.Count];
    }

    /// <summary>Another trade (own trade id and key) under <paramref name="sequence"/>, the event's number.</summary>
    private static TradeCreated ConflictingCopy(ISpecificRecord original, long sequence)
    {
        string account = Events.AccountOf(original);
        return Events.Created(account, sequence, $"{account}-X{sequence}", "I0", TradeSide.BUY, 1m, 1m, "USD", $"{account}-X{sequence}", Events.Monday);
    }

    private static string IdempotencyKeyOf(ISpecificRecord e) => e switch
    {
        TradeCreated c => c.idempotencyKey,
        TradeAmended m => m.idempotencyKey,
        TradeCancelled x => x.idempotencyKey,
        _ => throw new ArgumentException(e.GetType().Name, nameof(e)),
    };

    private static ISpecificRecord Resequenced(ISpecificRecord original, long sequence) => original switch
    {
        TradeCreated c => Events.Created(c.accountId, sequence, c.tradeId, c.instrumentId, c.side, Money.FromAvro(c.quantity), Money.FromAvro(c.price), c.currency, c.idempotencyKey, c.timestamp),
        TradeAmended m => Events.Amended(m.accountId, sequence, m.tradeId, Money.FromAvro(m.amendedQuantity), Money.FromAvro(m.amendedPrice), m.idempotencyKey, m.timestamp),
        TradeCancelled x => Events.Cancelled(x.accountId, sequence, x.tradeId, x.idempotencyKey, x.timestamp),
        _ => throw new ArgumentException(original.GetType().Name, nameof(original)),
    };
}
