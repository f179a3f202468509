using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Cli.Commands;

/// <summary><c>concord serve</c>: a sync server on an embedded SQLite file, with no configuration needed.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";
    public const string BasePath = "/api/sync";

    public static Command Create()
    {
        var db = new Option<string>("--db")
        {
            Description = "The SQLite database file (created if missing).",
            DefaultValueFactory = _ => "concord.db",
        };
        var urls = new Option<string?>("--urls")
        {
            Description = $"Where to listen, ';'-separated (default: ASPNETCORE_URLS, else {DefaultUrls}). Port 0 picks a free port.",
        };
        var config = new Option<string?>("--config")
        {
            Description = "A JSON file of settings (a \"Concord\" section, as in appsettings.json, and a \"Jwt\" section for access tokens); environment variables Concord__... and --Concord:Key=value arguments add to it.",
        };
        var jwtSecret = new Option<string?>("--jwt-secret")
        {
            Description = "Require HS256 access tokens signed with this secret (at least 32 bytes). Without it or another --jwt-* key (or a \"Jwt\" section in the settings) the server is open: development only.",
        };
        var jwtAuthority = new Option<string?>("--jwt-authority")
        {
            Description = "Require access tokens signed by this OpenID Connect issuer's keys, found through {URL}/.well-known/openid-configuration and refreshed as they rotate; its issuer is required too. HTTPS unless on a loopback address.",
        };
        var jwtJwksUrl = new Option<string?>("--jwt-jwks-url")
        {
            Description = "Require access tokens signed by a key of this JWKS document, fetched and refreshed as it changes. HTTPS unless on a loopback address.",
        };
        var jwtPublicKey = new Option<string?>("--jwt-public-key")
        {
            Description = "Require access tokens signed by the RSA or EC public key in this PEM file (RS256/384/512, PS256, ES256/384/512).",
        };
        var jwtIssuer = new Option<string?>("--jwt-issuer") { Description = "The issuer (iss) access tokens must name." };
        var jwtAudience = new Option<string?>("--jwt-audience") { Description = "The audience (aud) access tokens must name." };
        var command = new Command("serve", "Run a sync server on an embedded SQLite file.") { db, urls, config, jwtSecret, jwtAuthority, jwtJwksUrl, jwtPublicKey, jwtIssuer, jwtAudience };

        // Arguments it does not know are configuration (--Concord:Limits:MaxBatchChanges=500), as for any ASP.NET Core app.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) =>
        {
            string? url = parse.GetValue(urls) ?? (Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
            var jwt = new JwtSettings
            {
                Secret = parse.GetValue(jwtSecret),
                Authority = parse.GetValue(jwtAuthority),
                JwksUrl = parse.GetValue(jwtJwksUrl),
                PublicKeyFile = parse.GetValue(jwtPublicKey),
                Issuer = parse.GetValue(jwtIssuer),
                Audience = parse.GetValue(jwtAudience),
            };
            return RunAsync(new ServeSettings(Path.GetFullPath(parse.GetValue(db)!), url ?? DefaultUrls, parse.GetValue(config), [.. parse.UnmatchedTokens], jwt), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        if (settings.ConfigFile is { } config && !File.Exists(config))
        {
            await Console.Error.WriteLineAsync($"concord: no settings file at {Path.GetFullPath(config)}").ConfigureAwait(false);
            return 2;
        }

        WebApplication app;
        bool requiresTokens;
        try
        {
            (app, requiresTokens) = Build(settings);
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or FormatException or ArgumentException or OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"concord: the settings are not valid: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"concord: cannot listen on {settings.Urls}: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"concord: the settings are not valid: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        // Before the addresses, so whoever waits for those has seen it.
        if (!requiresTokens)
        {
            Console.WriteLine("WARNING: no authentication: anyone who can reach this server reads and writes every workspace. For development only; give --jwt-secret, --jwt-authority, --jwt-jwks-url or --jwt-public-key (or a \"Jwt\" section in the settings) for anything else.");
        }

        foreach (string address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
        {
            Console.WriteLine($"Concord listening on {address}");
        }

        Console.WriteLine($"Sync API at {BasePath}, store {settings.DatabasePath}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private static (WebApplication App, bool RequiresTokens) Build(ServeSettings settings)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(settings.Urls);
        if (settings.ConfigFile is { } config)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(config), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddCommandLine(settings.ConfigArguments);
        builder.WebHost.ConfigureKestrel((context, kestrel) => ConfigureLimits(kestrel.Limits, context.Configuration.GetSection("Kestrel:Limits")));

        // The "Jwt" section (a file, Jwt__... variables, --Jwt:Key=value), under the --jwt-* options.
        JwtSettings configured = builder.Configuration.GetSection(JwtSettings.SectionName).Get<JwtSettings>(o => o.ErrorOnUnknownConfiguration = true) ?? new JwtSettings();
        bool requiresTokens = JwtAuthentication.Add(builder.Services, settings.Jwt.Over(configured));

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddConcord(builder.Configuration.GetSection("Concord"), o => o.Auth.RequireAuthenticatedUser |= requiresTokens).AddSqliteStore(settings.DatabasePath);
        WebApplication app = builder.Build();

        // Read the settings now: a mistake in them is reported as such, before the host starts and logs it as a crash.
        _ = app.Services.GetRequiredService<IOptions<Concord.Server.ConcordServerOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        // Answers preflights and adds the CORS headers of Concord:Cors:AllowedOrigins; nothing when that is empty.
        app.UseCors();
        if (requiresTokens)
        {
            app.UseAuthentication();
        }

        app.MapConcord(BasePath);
        app.MapHealthChecks("/health");
        return (app, requiresTokens);
    }

    /// <summary>
    /// Kestrel's limits against clients that hold connections open by sending slowly (slow-loris), tighter than its own
    /// defaults; then the standard <c>Kestrel:Limits</c> settings, which Kestrel does not read from configuration itself.
    /// </summary>
    private static void ConfigureLimits(KestrelServerLimits limits, IConfigurationSection configured)
    {
        // The whole request head within 10 s (Kestrel: 30 s), and an idle kept-alive connection closed after 60 s (130 s).
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);

        // Bodies read, and answers taken, at 240 bytes a second at least once 5 s have passed (Kestrel's own defaults, named).
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

        // A rate is immutable: one that is configured replaces the default whole (BytesPerSecond and GracePeriod, or empty for none).
        if (configured.GetSection(nameof(KestrelServerLimits.MinRequestBodyDataRate)).Exists())
        {
            limits.MinRequestBodyDataRate = null;
        }

        if (configured.GetSection(nameof(KestrelServerLimits.MinResponseDataRate)).Exists())
        {
            limits.MinResponseDataRate = null;
        }

        configured.Bind(limits, binder => binder.ErrorOnUnknownConfiguration = true);
    }
}
