using System.Reflection;
using Confluent.SchemaRegistry;

namespace PrimeBroker.Streams.Brokerage.Tests.Fakes;

/// <summary>
/// A schema-registry client that passes every call to a real one, except that writer-schema look-ups by id
/// (<c>GetSchemaBySubjectAndIdAsync</c>, what the deserializer asks) fail as an unreachable registry would while the
/// registry is "down": for the next <see cref="FailNextLookups"/> calls, or always while <see cref="Down"/> is set.
/// Faults are injected through the client abstraction the topology depends on, not by timing.
/// </summary>
public class FlakyRegistryClient : DispatchProxy
{
    private ISchemaRegistryClient _inner = null!;

    /// <summary>Every look-up fails while true.</summary>
    public bool Down { get; set; }

    /// <summary>This many further look-ups fail, then the registry answers again.</summary>
    public int FailNextLookups { get; set; }

    /// <summary>Look-ups by id made so far (failed ones included).</summary>
    public int Lookups { get; private set; }

    public static (ISchemaRegistryClient Client, FlakyRegistryClient Control) Wrap(ISchemaRegistryClient inner)
    {
        ISchemaRegistryClient proxy = Create<ISchemaRegistryClient, FlakyRegistryClient>();
        var control = (FlakyRegistryClient)(object)proxy;
        control._inner = inner;
        return (proxy, control);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(ISchemaRegistryClient.GetSchemaBySubjectAndIdAsync))
        {
            Lookups++;
            if (Down || FailNextLookups > 0)
            {
                FailNextLookups = Math.Max(0, FailNextLookups - 1);
                return Task.FromException<Schema>(new HttpRequestException("Connection refused (the test took the registry down)."));
            }
        }

        if (targetMethod.Name == nameof(IDisposable.Dispose))
        {
            return null; // the real client belongs to the fixture
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
