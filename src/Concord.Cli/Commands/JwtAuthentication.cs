using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Commands;

/// <summary>
/// <c>--jwt-secret</c>: ASP.NET Core's JWT bearer authentication with an HS256 key, issuer, audience, lifetime and a
/// small clock skew validated. A WebSocket or event-stream upgrade may carry its token as <c>access_token</c> in the
/// query string, since browsers cannot set headers on those.
/// </summary>
internal static class JwtAuthentication
{
    public static void Add(IServiceCollection services, JwtSettings jwt)
    {
        byte[] key = Encoding.UTF8.GetBytes(jwt.Secret);
        if (key.Length < 32)
        {
            throw new ArgumentException("--jwt-secret must be at least 32 bytes: HS256 needs a 256-bit key.");
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            // Claims keep their names (sub, tenant, roles) instead of being mapped to long URIs.
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKey = new SymmetricSecurityKey(key),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                ValidateIssuer = jwt.Issuer is not null,
                ValidIssuer = jwt.Issuer,
                ValidateAudience = jwt.Audience is not null,
                ValidAudience = jwt.Audience,
            };
            o.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    string path = context.Request.Path.Value ?? string.Empty;
                    if (context.Token is null && (path.EndsWith("/ws", StringComparison.Ordinal) || path.EndsWith("/events", StringComparison.Ordinal))
                        && context.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                },
            };
        });
    }
}
