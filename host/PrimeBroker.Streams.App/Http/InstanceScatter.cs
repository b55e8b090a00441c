using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.Brokerage;
using PrimeBroker.Streams.Engine;

namespace PrimeBroker.Streams.App.Http;

/// <summary>What every instance answered to a book-wide query, and whether together they cover the book.</summary>
/// <param name="Answers">This instance's answer first, then every other instance that answered.</param>
/// <param name="Unreachable">Instances of the directory that did not answer within <c>Http:ForwardTimeout</c>.</param>
/// <param name="Complete">True when every instance answered, no input partition was answered twice and every partition
/// the directory knows was answered: the figures are the whole book. False while partitions move or an instance is down.</param>
internal sealed record ScatterResult<T>(IReadOnlyList<T> Answers, IReadOnlyList<string> Unreachable, bool Complete);

/// <summary>One instance's part of a book-wide answer: which instance, which input partitions its local stores held
/// when it answered, and its figures.</summary>
internal interface IInstancePart
{
    /// <summary>The instance (its application server).</summary>
    string Instance { get; }

    /// <summary>The <c>trade-events</c> partitions whose tasks this instance answered for.</summary>
    IReadOnlyList<int> Partitions { get; }
}

/// <summary>
/// Book-wide views (ledger balances, settlement ladder, exposures): asks every instance of the directory for its local
/// part, as <c>GET /gaps</c> does, and says whether the parts cover the book. A forwarded request (another instance
/// gathering) is answered with the local part only, so one gather never fans out twice. Thread-safe.
/// </summary>
internal sealed class InstanceScatter(StreamsApplication application, OwnerForwarder forwarder, OwnerRouter router, IOptions<BrokerageOptions> brokerage)
{
    /// <summary>This instance's application server.</summary>
    internal string Self => router.Self;

    /// <summary>The input partitions this instance's local stores hold now (its active tasks).</summary>
    internal IReadOnlyList<int> LocalPartitions() => [.. application.ActiveTasks.Select(t => t.Partition).Distinct().Order()];

    /// <summary>Whether <paramref name="request"/> came from another instance's gather (answer locally only).</summary>
    internal static bool IsForwarded(HttpRequest request) => OwnerForwarder.IsForwarded(request);

    /// <summary>The local part from <paramref name="local"/> and, unless the request was forwarded, the parts of every
    /// other instance (GET <paramref name="pathAndQuery"/> there, in parallel).</summary>
    internal async Task<ScatterResult<T>> GatherAsync<T>(HttpContext context, string pathAndQuery, Func<T> local)
        where T : class, IInstancePart
    {
        var answers = new List<T> { local() };
        var unreachable = new List<string>();
        var directory = application.Instances();
        if (!IsForwarded(context.Request))
        {
            var others = directory.Keys.Where(i => i != Self).Order(StringComparer.Ordinal).ToList();
            var replies = await Task.WhenAll(others.Select(i => forwarder.GetAsync(Self, i, pathAndQuery, context.RequestAborted)));
            foreach (var reply in replies)
            {
                if (reply.ReadJson<T>() is { } part)
                {
                    answers.Add(part);
                }
                else
                {
                    unreachable.Add(reply.Instance);
                }
            }
        }

        var answered = answers.SelectMany(a => a.Partitions).ToList();
        var known = directory.Values.SelectMany(p => p).Where(p => p.Topic == brokerage.Value.TradeEventsTopic)
            .Select(p => p.Partition.Value).ToHashSet();
        var complete = unreachable.Count == 0 && application.State == StreamsState.Running && answered.Count == answered.Distinct().Count() &&
                       known.SetEquals(answered);
        return new ScatterResult<T>(answers, unreachable, complete);
    }
}
