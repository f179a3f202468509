using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Concord.Server.Auth;
using Concord.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Concord.Server.Tests;

/// <summary>
/// Concord inside an app with an authentication scheme of its own (not JWT) and <c>RequireAuthorization</c> on the
/// mapped endpoints, with a principal mapper of its own: Concord reads <c>HttpContext.User</c>, whoever set it.
/// </summary>
public sealed class AppAuthenticationTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private ConcordTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ConcordTestServer.StartAsync(
            _folder.File("app-auth.db"),
            o => o.Auth.RequireAuthenticatedUser = true,
            services =>
            {
                services.AddAuthentication(HeaderScheme.Name).AddScheme<AuthenticationSchemeOptions, HeaderScheme>(HeaderScheme.Name, null);
                services.AddAuthorization();
                services.AddSingleton<IConcordPrincipalMapper, TeamMapper>();
            },
            endpoints => endpoints.RequireAuthorization());

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_apps_own_scheme_and_authorization_guard_the_endpoints_and_its_mapper_names_the_tenant()
    {
        (HttpStatusCode anonymous, _) = await SendAsync("push", TokenRequests.Push("n1"), user: null);
        (HttpStatusCode pushed, JsonElement push) = await SendAsync("push", TokenRequests.Push("n1"), user: "alice@team-a");
        (_, JsonElement sameTeam) = await SendAsync("pull", """{"cursor":null}""", user: "bob@team-a");
        (_, JsonElement otherTeam) = await SendAsync("pull", """{"cursor":null}""", user: "carol@team-b");
        (HttpStatusCode workspaces, _) = await SendAsync("../workspaces", null, user: null, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, workspaces);
        Assert.Equal(HttpStatusCode.OK, pushed);
        Assert.Equal("applied", push.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(["n1"], sameTeam.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Empty(otherTeam.GetProperty("records").EnumerateArray());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string path, string? body, string? user, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(_server.SyncUri, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Add(HeaderScheme.Header, user);
        }

        using HttpResponseMessage response = await _server.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>An app's scheme: the user named in a header, as a gateway in front of the app would set it.</summary>
    private sealed class HeaderScheme(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Gateway";
        public const string Header = "X-Gateway-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[Header].FirstOrDefault() is { Length: > 0 } user
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Email, user)], Name)), Name))
                : AuthenticateResult.NoResult());
    }

    /// <summary>An app's mapping: the user is the e-mail address, the tenant its domain part.</summary>
    private sealed class TeamMapper : IConcordPrincipalMapper
    {
        public bool TryMap(ClaimsPrincipal user, [NotNullWhen(true)] out ConcordPrincipal? principal)
        {
            string? email = user.FindFirst(ClaimTypes.Email)?.Value;
            principal = email is null ? null : new ConcordPrincipal(email, email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..], []);
            return principal is not null;
        }
    }
}
