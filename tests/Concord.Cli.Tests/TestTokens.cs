using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Tests;

/// <summary>Access tokens for <c>concord serve --jwt-secret</c>, good ones and every kind of bad one.</summary>
internal static class TestTokens
{
    public const string Secret = "a-secret-of-at-least-thirty-two-bytes!!";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "concord-tests";

    /// <summary>The arguments that make <c>concord serve</c> require these tokens.</summary>
    public static string[] ServeArguments => ["--jwt-secret", Secret, "--jwt-issuer", Issuer, "--jwt-audience", Audience];

    public static string Create(string? user, string? tenant, string key = Secret, string issuer = Issuer, string audience = Audience, DateTime? notBefore = null, DateTime? expires = null, bool rsa = false)
    {
        var claims = new Dictionary<string, object>();
        if (user is not null)
        {
            claims["sub"] = user;
        }

        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            NotBefore = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            IssuedAt = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = rsa
                ? new SigningCredentials(new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)), SecurityAlgorithms.RsaSha256)
                : new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string Unsigned(string user, string tenant)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(new { sub = user, tenant, iss = Issuer, aud = Audience, nbf = now - 60, exp = now + 3600 })}.";
    }
}
