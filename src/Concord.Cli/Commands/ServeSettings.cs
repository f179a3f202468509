namespace Concord.Cli.Commands;

/// <summary>What <c>concord serve</c> was asked for on its command line.</summary>
/// <param name="DatabasePath">The SQLite file, made absolute.</param>
/// <param name="Urls">Where to listen.</param>
/// <param name="ConfigFile">A JSON settings file, or null.</param>
/// <param name="ConfigArguments">Arguments that are configuration (<c>--Concord:Key=value</c>).</param>
/// <param name="Jwt">Access tokens to require, or null for an open server.</param>
internal sealed record ServeSettings(string DatabasePath, string Urls, string? ConfigFile, string[] ConfigArguments, JwtSettings? Jwt);

/// <summary>HS256 access tokens signed with a shared secret, for development and small deployments.</summary>
/// <param name="Secret">The shared secret (at least 32 bytes of UTF-8: HS256 needs a 256-bit key).</param>
/// <param name="Issuer">The issuer tokens must name, or null to accept any.</param>
/// <param name="Audience">The audience tokens must name, or null to accept any.</param>
internal sealed record JwtSettings(string Secret, string? Issuer, string? Audience);
