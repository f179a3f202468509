using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Concord.LoadTest;

/// <summary>HS256 access tokens for a <c>concord serve --jwt-secret</c> under test, and clients that send them.</summary>
internal static class AccessTokens
{
    private const string Secret = "concord-load-test-secret-of-at-least-32-bytes";
    private const string Issuer = "https://issuer.load-test";
    private const string Audience = "concord-load-test";

    /// <summary>The arguments that make <c>concord serve</c> require these tokens, issuer and audience checked.</summary>
    public static string[] ServeArguments => ["--jwt-secret", Secret, "--jwt-issuer", Issuer, "--jwt-audience", Audience];

    /// <summary>A token for <paramref name="user"/> (<c>sub</c>) in <paramref name="tenant"/> (<c>tenant</c>), good for an hour.</summary>
    public static string Create(string user, string tenant) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Claims = new Dictionary<string, object> { ["sub"] = user, ["tenant"] = tenant },
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>A client of <paramref name="syncUri"/> on a connection of its own, sending <paramref name="token"/> as its bearer token when given.</summary>
    public static HttpClient Client(Uri syncUri, string? token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = syncUri };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }
}
