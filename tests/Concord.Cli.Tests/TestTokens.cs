using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Tests;

/// <summary>Access tokens for <c>concord serve --jwt-*</c>, good ones and every kind of bad one, and the keys to sign them.</summary>
internal static class TestTokens
{
    public const string Secret = "a-secret-of-at-least-thirty-two-bytes!!";
    public const string Issuer = "https://issuer.test";
    public const string Audience = "concord-tests";

    /// <summary>The arguments that make <c>concord serve</c> require these tokens.</summary>
    public static string[] ServeArguments => ["--jwt-secret", Secret, "--jwt-issuer", Issuer, "--jwt-audience", Audience];

    /// <summary>A token for <paramref name="user"/> in <paramref name="tenant"/>, signed HS256 with <paramref name="key"/> unless <paramref name="signing"/> says otherwise.</summary>
    public static string Create(string? user, string? tenant, string key = Secret, string issuer = Issuer, string audience = Audience, DateTime? notBefore = null, DateTime? expires = null, SigningCredentials? signing = null)
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
            SigningCredentials = signing ?? Hs256(Encoding.UTF8.GetBytes(key)),
        });
    }

    /// <summary>RS256 with <paramref name="key"/>, naming <paramref name="keyId"/> in the header when given.</summary>
    public static SigningCredentials Rs256(RSA key, string? keyId = null) => new(new RsaSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);

    /// <summary>ES256 with <paramref name="key"/> (P-256), naming <paramref name="keyId"/> in the header when given.</summary>
    public static SigningCredentials Es256(ECDsa key, string? keyId = null) => new(new ECDsaSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>
    /// HS256 keyed with <paramref name="key"/>. With a public key's PEM as the key this is the key-confusion attack on a
    /// server that lets the token's <c>alg</c> decide how its key is used.
    /// </summary>
    public static SigningCredentials Hs256(byte[] key, string? keyId = null) => new(new SymmetricSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.HmacSha256);

    /// <summary>A token with <c>alg: none</c> and no signature.</summary>
    public static string Unsigned(string user, string tenant, string issuer = Issuer, string audience = Audience)
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(new { sub = user, tenant, iss = issuer, aud = audience, nbf = now - 60, exp = now + 3600 })}.";
    }

    /// <summary>A JWKS document (RFC 7517) publishing the public halves of RSA keys under their key ids.</summary>
    public static string Jwks(params (string KeyId, RSA Key)[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k =>
        {
            RSAParameters parameters = k.Key.ExportParameters(includePrivateParameters: false);
            return new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = SecurityAlgorithms.RsaSha256,
                ["kid"] = k.KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
            };
        }),
    });
}
