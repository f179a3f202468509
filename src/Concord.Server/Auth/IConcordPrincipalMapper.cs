using System.Security.Claims;

namespace Concord.Server.Auth;

/// <summary>Turns the authenticated <see cref="ClaimsPrincipal"/> of a request into a <see cref="ConcordPrincipal"/>. Replace it to read other claims.</summary>
/// <example><code>
/// builder.Services.AddSingleton&lt;IConcordPrincipalMapper, MyMapper&gt;(); // before or after AddConcord
/// </code></example>
public interface IConcordPrincipalMapper
{
    /// <summary>The principal, or false when <paramref name="user"/> lacks what Concord needs (a user id).</summary>
    bool TryMap(ClaimsPrincipal user, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConcordPrincipal? principal);
}
