namespace Concord.Server.Cors;

/// <summary>
/// Which web pages on other origins may use the server from a browser: CORS on every endpoint, and the
/// <c>Origin</c> of WebSocket and event-stream upgrades, which browsers do not hold back on their own.
/// </summary>
/// <remarks>
/// Empty (the default): no CORS headers are sent, so browsers refuse pages of other origins, and an upgrade
/// whose <c>Origin</c> is not the server's own host is refused with <c>403 SYNC:FORBIDDEN</c>. Clients that
/// send no <c>Origin</c> (apps, services) are never affected. CORS is answered by ASP.NET Core's CORS
/// middleware: an app that lists origins must call <c>app.UseCors()</c> before <c>MapConcord</c>'s endpoints run.
/// </remarks>
/// <example><code>
/// builder.Services.AddConcord(o => o.Cors.AllowedOrigins = ["https://app.example.com"]);
/// var app = builder.Build();
/// app.UseCors();
/// app.MapConcord();
/// </code></example>
public sealed class CrossOriginOptions
{
    /// <summary>Means any origin when it is an entry of <see cref="AllowedOrigins"/>.</summary>
    public const string AnyOrigin = "*";

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>, exactly as a browser sends them: no path, no trailing slash, no
    /// default port) whose pages may call the API and open realtime connections; <c>*</c> for any. Empty by default.
    /// </summary>
    public IList<string> AllowedOrigins { get; set; } = [];

    /// <summary>Throws when an entry is not an origin.</summary>
    /// <exception cref="ArgumentException">An entry is not <c>*</c> nor an http(s) origin.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(AllowedOrigins, nameof(AllowedOrigins));
        foreach (string? origin in AllowedOrigins)
        {
            if (origin != AnyOrigin && !IsOrigin(origin))
            {
                throw new ArgumentException(
                    $"'{origin}' is not an origin; AllowedOrigins takes scheme://host[:port] as a browser sends it (no path, no trailing slash, no default port), or *.",
                    nameof(AllowedOrigins));
            }
        }
    }

    private static bool IsOrigin(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase);
}
