namespace Concord.Cli.Commands;

/// <summary>What <c>concord serve</c> was asked for on its command line.</summary>
/// <param name="DatabasePath">The SQLite file, made absolute.</param>
/// <param name="Urls">Where to listen.</param>
/// <param name="ConfigFile">A JSON settings file, or null.</param>
/// <param name="ConfigArguments">Arguments that are configuration (<c>--Concord:Key=value</c>).</param>
/// <param name="Jwt">The <c>--jwt-*</c> options given; they win over the <c>Jwt</c> section of the configuration.</param>
internal sealed record ServeSettings(string DatabasePath, string Urls, string? ConfigFile, string[] ConfigArguments, JwtSettings Jwt);

/// <summary>
/// The access tokens to require: the <c>--jwt-*</c> options, or the top-level <c>Jwt</c> section of the configuration.
/// At most one key is named (a secret, an authority, a JWKS document or a public key file); with none the server is open.
/// </summary>
internal sealed record JwtSettings
{
    /// <summary>The configuration section these settings bind from.</summary>
    public const string SectionName = "Jwt";

    /// <summary>An HS256 shared secret (at least 32 bytes of UTF-8: HS256 needs a 256-bit key).</summary>
    public string? Secret { get; set; }

    /// <summary>The issuer tokens must name, or null to accept any (with an authority: the one its discovery document names).</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience tokens must name, or null to accept any.</summary>
    public string? Audience { get; set; }

    /// <summary>An OpenID Connect issuer whose <c>/.well-known/openid-configuration</c> leads to its keys.</summary>
    public string? Authority { get; set; }

    /// <summary>A JWKS document (RFC 7517) of the keys tokens are signed with.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>A PEM file holding the RSA or EC public key tokens are signed with.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>Whether a key is named, so tokens are required.</summary>
    public bool NamesKey => Secret is not null || Authority is not null || JwksUrl is not null || PublicKeyFile is not null;

    /// <summary>
    /// These settings (the command line's) over <paramref name="configured"/> ones: a key named here replaces the
    /// configured key whole, and an issuer or audience given here replaces the configured one.
    /// </summary>
    public JwtSettings Over(JwtSettings configured) => (NamesKey ? this : configured) with
    {
        Issuer = Issuer ?? configured.Issuer,
        Audience = Audience ?? configured.Audience,
    };
}
