using System.Text.RegularExpressions;
using PrimeBroker.Streams.Contracts;

namespace PrimeBroker.Streams.App.Http;

/// <summary>The body of <c>POST /trades</c>. Every field is checked; a 400 names each invalid one.</summary>
public sealed record TradeRequest
{
    /// <summary>Unique trade id, 1-64 characters of letters, digits, '.', '_', '-'.</summary>
    public string? TradeId { get; init; }

    /// <summary>The account (same character rules).</summary>
    public string? AccountId { get; init; }

    /// <summary>The instrument (same character rules).</summary>
    public string? InstrumentId { get; init; }

    /// <summary>Quantity, positive, at most 8 decimal places.</summary>
    public decimal? Quantity { get; init; }

    /// <summary>Price per unit, positive, at most 8 decimal places.</summary>
    public decimal? Price { get; init; }

    /// <summary>ISO 4217 code, three capital letters.</summary>
    public string? Currency { get; init; }

    /// <summary><c>BUY</c> or <c>SELL</c>.</summary>
    public string? Side { get; init; }

    /// <summary>Execution time; default now.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Optional idempotency key (1-128 characters); a new one is assigned when absent. Sending the same key
    /// again never applies the trade twice.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Optional originating order.</summary>
    public string? OrderId { get; init; }

    /// <summary>Optional strategy tag.</summary>
    public string? Strategy { get; init; }
}

/// <summary>Checks a <see cref="TradeRequest"/> and turns it into the contract's <see cref="TradeCreated"/>.</summary>
internal static partial class TradeRequestValidator
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    /// <summary>Every problem, by field name (camelCase as in the JSON); empty when the request is valid.</summary>
    internal static Dictionary<string, string[]> Validate(TradeRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["A JSON trade object is required."];
            return errors;
        }

        CheckIdentifier(errors, "tradeId", request.TradeId);
        CheckIdentifier(errors, "accountId", request.AccountId);
        CheckIdentifier(errors, "instrumentId", request.InstrumentId);
        CheckAmount(errors, "quantity", request.Quantity);
        CheckAmount(errors, "price", request.Price);
        if (request.Currency is null || !CurrencyCode().IsMatch(request.Currency))
        {
            errors["currency"] = ["Required: an ISO 4217 code of three capital letters, e.g. USD."];
        }

        if (request.Side is not ("BUY" or "SELL"))
        {
            errors["side"] = ["Required: BUY or SELL."];
        }

        if (request.IdempotencyKey is { } key && (key.Length is 0 or > 128 || key.Any(char.IsControl)))
        {
            errors["idempotencyKey"] = ["Optional; when given, 1 to 128 printable characters."];
        }

        if (request.OrderId is { Length: > 64 })
        {
            errors["orderId"] = ["At most 64 characters."];
        }

        if (request.Strategy is { Length: > 64 })
        {
            errors["strategy"] = ["At most 64 characters."];
        }

        if (request.Timestamp is { } t && (t.Year < 2000 || t > DateTimeOffset.UtcNow.AddDays(1)))
        {
            errors["timestamp"] = ["Must be after 2000-01-01 and not in the future."];
        }

        return errors;
    }

    /// <summary>The contract record of a valid request (sequence number and, when absent, idempotency key are assigned
    /// by the publisher).</summary>
    internal static TradeCreated ToRecord(TradeRequest request) => new()
    {
        tradeId = request.TradeId!,
        accountId = request.AccountId!,
        instrumentId = request.InstrumentId!,
        quantity = Money.ToAvro(request.Quantity!.Value),
        price = Money.ToAvro(request.Price!.Value),
        currency = request.Currency!,
        side = request.Side == "BUY" ? TradeSide.BUY : TradeSide.SELL,
        timestamp = (request.Timestamp ?? DateTimeOffset.UtcNow).UtcDateTime,
        idempotencyKey = request.IdempotencyKey ?? string.Empty,
        orderId = request.OrderId,
        strategy = request.Strategy,
    };

    private static void CheckIdentifier(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null || !Identifier().IsMatch(value))
        {
            errors[field] = ["Required: 1 to 64 letters, digits, '.', '_' or '-'."];
        }
    }

    private static void CheckAmount(Dictionary<string, string[]> errors, string field, decimal? value)
    {
        if (value is not { } v || v <= 0)
        {
            errors[field] = ["Required: a positive number."];
            return;
        }

        try
        {
            Money.ToAvro(v);
        }
        catch (ArgumentOutOfRangeException)
        {
            errors[field] = [$"At most {Money.Scale} decimal places and {Money.Precision - Money.Scale} integer digits."];
        }
    }
}
