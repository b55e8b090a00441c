using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Options;
using PrimeBroker.Streams.Engine.Errors;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// Answers any endpoint that read a store the engine cannot serve now (rebalance, restore, a task closing mid-read)
/// with 503, <c>Retry-After</c> and a problem body, never with a 500 or an empty answer.
/// </summary>
internal sealed class StoreUnavailableHandler(IOptions<HttpOptions> http, IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException unavailable)
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = http.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Not available, retry", Detail = unavailable.Message },
        });
    }
}
