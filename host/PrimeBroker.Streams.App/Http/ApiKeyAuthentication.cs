using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeBroker.Streams.App.Options;

namespace PrimeBroker.Streams.App.Http;

/// <summary>
/// ASP.NET Core authentication for the API's writes: an API-key scheme (<c>X-Api-Key</c> header or
/// <c>Authorization: ApiKey &lt;key&gt;</c>) over the keys of <see cref="AuthOptions"/>, and the <c>writes</c>
/// authorization policy (a key of <see cref="AuthOptions.ApiKeys"/>). Every request that changes state (POST, PUT, PATCH,
/// DELETE) must satisfy the policy when <see cref="AuthOptions.WritesRequireKey"/>; reads stay open. Failures are
/// problem details: 401 without a valid key, 403 with a read-only one. A forwarded write carries its caller's key to
/// the owner instance (<see cref="ForwardCredentialHandler"/>), which checks it again.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>The scheme's name.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    internal const string WritesPolicy = "writes";
    internal const string WriterRole = "writer";

    /// <summary>Registers the scheme, the policy and the forwarding of credentials.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, _ => { });
        services.AddAuthorizationBuilder().AddPolicy(WritesPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole(WriterRole));
        services.AddHttpContextAccessor();
        services.AddTransient<ForwardCredentialHandler>();
        return services;
    }

    /// <summary>Adds authentication and the write check to the pipeline (before the endpoints).</summary>
    public static WebApplication UseWriteAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            // Options are read here, not while the pipeline is built: they are validated when the host starts.
            var auth = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
            var http = context.RequestServices.GetRequiredService<IOptions<HttpOptions>>().Value;
            var method = context.Request.Method;
            if (!auth.WritesRequireKey(http) || HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            {
                await next(context);
                return;
            }

            var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
            if (!(context.User.Identity?.IsAuthenticated ?? false))
            {
                await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication required",
                    $"Writes need an API key in the {Header} header.");
                return;
            }

            if (!(await authorization.AuthorizeAsync(context.User, WritesPolicy)).Succeeded)
            {
                await ProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "This API key may read but not write.");
                return;
            }

            await next(context);
        });
        return app;
    }

    private static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = $"{Scheme} header=\"{Header}\"";
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
        IOptions<AuthOptions> auth) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var presented = Request.Headers[Header].FirstOrDefault();
            if (presented is null && Request.Headers.Authorization.FirstOrDefault() is { } header
                && header.StartsWith(ApiKeyAuthentication.Scheme + " ", StringComparison.OrdinalIgnoreCase))
            {
                presented = header[(ApiKeyAuthentication.Scheme.Length + 1)..].Trim();
            }

            if (string.IsNullOrEmpty(presented))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var match = Find(auth.Value.ApiKeys, presented, WriterRole) ?? Find(auth.Value.ReadOnlyApiKeys, presented, role: null);
            return Task.FromResult(match is null ? AuthenticateResult.Fail("Unknown API key.") : AuthenticateResult.Success(match));
        }

        private AuthenticationTicket? Find(Dictionary<string, string> keys, string presented, string? role)
        {
            var bytes = Encoding.UTF8.GetBytes(presented);
            foreach (var (name, key) in keys)
            {
                // Constant time: the comparison does not tell how much of a key was right.
                if (CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(key)))
                {
                    var claims = new List<Claim> { new(ClaimTypes.Name, name) };
                    if (role is not null)
                    {
                        claims.Add(new Claim(ClaimTypes.Role, role));
                    }

                    return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthentication.Scheme)), ApiKeyAuthentication.Scheme);
                }
            }

            return null;
        }
    }
}

/// <summary>Copies the caller's credential (<c>X-Api-Key</c>, <c>Authorization</c>) onto a request this instance forwards
/// to another (the owner of an account), so the owner authenticates the same caller.</summary>
internal sealed class ForwardCredentialHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Request.Headers is { } incoming)
        {
            if (incoming[ApiKeyAuthentication.Header].FirstOrDefault() is { } key && !request.Headers.Contains(ApiKeyAuthentication.Header))
            {
                request.Headers.Add(ApiKeyAuthentication.Header, key);
            }

            if (incoming.Authorization.FirstOrDefault() is { } authorization && request.Headers.Authorization is null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
