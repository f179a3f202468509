using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Commands;

/// <summary>
/// The <c>--jwt-*</c> options (or the <c>Jwt</c> settings): ASP.NET Core's JWT bearer authentication with one source of
/// keys, an HS256 secret, an OpenID Connect authority, a JWKS document or a PEM public key, and issuer, audience, lifetime
/// and a small clock skew validated. A WebSocket or event-stream upgrade may carry its token as <c>access_token</c> in
/// the query string, since browsers cannot set headers on those.
/// </summary>
internal static class JwtAuthentication
{
    /// <summary>
    /// What an asymmetric key may verify: RSA, RSA-PSS and ECDSA signatures. Never an HMAC, so a public key cannot be
    /// used as a shared secret by a token that claims HS256, and never <c>none</c>.
    /// </summary>
    public static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>
    /// Requires tokens checked with the key <paramref name="jwt"/> names, and returns true; returns false when it names
    /// none. Mistakes in the settings (two keys, a short secret, plain HTTP to a remote host, an unreadable key file)
    /// throw <see cref="ArgumentException"/> here, before the server starts.
    /// </summary>
    public static bool Add(IServiceCollection services, JwtSettings jwt)
    {
        string[] named =
        [
            .. new[] { ("--jwt-secret", jwt.Secret), ("--jwt-authority", jwt.Authority), ("--jwt-jwks-url", jwt.JwksUrl), ("--jwt-public-key", jwt.PublicKeyFile) }
                .Where(option => option.Item2 is not null).Select(option => option.Item1),
        ];
        if (named.Length == 0)
        {
            if (jwt.Issuer is not null || jwt.Audience is not null)
            {
                throw new ArgumentException("--jwt-issuer and --jwt-audience (Jwt:Issuer, Jwt:Audience) need a key to check tokens with: --jwt-secret, --jwt-authority, --jwt-jwks-url or --jwt-public-key.");
            }

            return false;
        }

        if (named.Length > 1)
        {
            throw new ArgumentException($"give only one of --jwt-secret, --jwt-authority, --jwt-jwks-url and --jwt-public-key (Jwt:Secret, Jwt:Authority, Jwt:JwksUrl, Jwt:PublicKeyFile), not {string.Join(" and ", named)}.");
        }

        // Everything read from the settings is checked now; the bearer options themselves are built at the first request.
        Action<JwtBearerOptions> keys = jwt switch
        {
            { Secret: { } secret } => Secret(secret),
            { PublicKeyFile: { } file } => PublicKey(ReadPublicKey(file)),
            { Authority: { } authority } => Authority(authority, MetadataUri(authority, "--jwt-authority"), jwt.Issuer),
            _ => JwksUrl(MetadataUri(jwt.JwksUrl!, "--jwt-jwks-url")),
        };

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            // Claims keep their names (sub, tenant, roles) instead of being mapped to long URIs.
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidAlgorithms = AsymmetricAlgorithms,
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
            keys(o);
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
                OnAuthenticationFailed = context =>
                {
                    // A bad token is only the caller's business. Keys that were never read (an authority or JWKS that
                    // cannot be reached) refuse everyone, and the operator must hear of it: the token handler swallows
                    // the fetch's failure and reports a key it did not find.
                    bool keysUnread = context.Options.ConfigurationManager is BaseConfigurationManager { LastKnownGoodConfiguration: null }
                        && context.Exception is SecurityTokenSignatureKeyNotFoundException;
                    if (keysUnread || context.Exception is not SecurityTokenException)
                    {
                        ServeLog.SigningKeysUnavailable(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Concord.Cli"), context.Exception.Message);
                    }

                    return Task.CompletedTask;
                },
            };
        });
        return true;
    }

    private static Action<JwtBearerOptions> Secret(string secret)
    {
        byte[] key = Encoding.UTF8.GetBytes(secret);
        if (key.Length < 32)
        {
            throw new ArgumentException("--jwt-secret (Jwt:Secret) must be at least 32 bytes: HS256 needs a 256-bit key.");
        }

        return o =>
        {
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(key);
            o.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        };
    }

    private static Action<JwtBearerOptions> PublicKey(AsymmetricSecurityKey key) => o => o.TokenValidationParameters.IssuerSigningKey = key;

    /// <summary>
    /// OpenID Connect discovery by JwtBearer itself: its ConfigurationManager reads the discovery document and the keys
    /// it leads to, refreshes them every so often, and again when a token names a key it does not have. The issuer is
    /// the one the document names unless <paramref name="issuer"/> replaces it.
    /// </summary>
    private static Action<JwtBearerOptions> Authority(string authority, Uri uri, string? issuer) => o =>
    {
        o.Authority = authority;
        o.RequireHttpsMetadata = !uri.IsLoopback;
        o.TokenValidationParameters.ValidateIssuer = true;
        if (issuer is not null)
        {
            // Without this the discovery document's issuer would be accepted beside the one given.
            o.TokenValidationParameters.IssuerValidator = (tokenIssuer, _, _) => string.Equals(tokenIssuer, issuer, StringComparison.Ordinal)
                ? tokenIssuer
                : throw new SecurityTokenInvalidIssuerException($"The issuer '{tokenIssuer}' is not '{issuer}'.") { InvalidIssuer = tokenIssuer };
        }
    };

    /// <summary>
    /// A JWKS document without discovery, through the same ConfigurationManager JwtBearer uses for an authority, so its
    /// keys are cached, refreshed and fetched again on an unknown key id in the same way.
    /// </summary>
    private static Action<JwtBearerOptions> JwksUrl(Uri uri) => o =>
    {
        var http = new HttpClient(o.BackchannelHttpHandler ?? new HttpClientHandler())
        {
            Timeout = o.BackchannelTimeout,
            MaxResponseContentBufferSize = 1024 * 1024,
        };
        o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(uri.AbsoluteUri, new JsonWebKeySetRetriever(), new HttpDocumentRetriever(http) { RequireHttps = !uri.IsLoopback })
        {
            RefreshInterval = o.RefreshInterval,
            AutomaticRefreshInterval = o.AutomaticRefreshInterval,
        };
    };

    /// <summary>An absolute http(s) URL, HTTPS unless its host is a loopback address (a local test authority).</summary>
    private static Uri MetadataUri(string value, string option)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{option} must be an absolute https:// URL, not '{value}'.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new ArgumentException($"{option} must use HTTPS ('{value}'): plain HTTP is allowed only to a loopback address.");
        }

        return uri;
    }

    /// <summary>The RSA or EC public key in a PEM file (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>).</summary>
    private static AsymmetricSecurityKey ReadPublicKey(string file)
    {
        string path = Path.GetFullPath(file);
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--jwt-public-key (Jwt:PublicKeyFile): cannot read {path}: {ex.Message}", ex);
        }

        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--jwt-public-key (Jwt:PublicKeyFile): {path} holds a private key; give the public key alone (openssl pkey -pubout).");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new ArgumentException($"--jwt-public-key (Jwt:PublicKeyFile): {path} holds no RSA or EC public key in PEM (-----BEGIN PUBLIC KEY-----): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads a JWKS document as an OpenID Connect configuration that has signing keys and nothing else, which is all
    /// token validation takes from one. A document with no usable signing key is an error, so the keys already held are
    /// kept rather than replaced by none.
    /// </summary>
    private sealed class JsonWebKeySetRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            string document = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
            var keys = new JsonWebKeySet(document);
            var configuration = new OpenIdConnectConfiguration { JwksUri = address, JsonWebKeySet = keys };
            foreach (SecurityKey key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration.SigningKeys.Count > 0
                ? configuration
                : throw new InvalidDataException($"The JWKS document at {address} has no signing key that can be used.");
        }
    }
}
