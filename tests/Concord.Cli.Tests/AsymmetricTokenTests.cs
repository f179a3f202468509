using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Concord.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Concord.Cli.Tests;

/// <summary>
/// <c>concord serve</c> with asymmetric keys: <c>--jwt-public-key</c> (RSA and EC PEM files), <c>--jwt-jwks-url</c> and
/// <c>--jwt-authority</c> (a loopback authority in this process), against forged, confused, misdirected and stale
/// tokens; the <c>Jwt</c> section of the settings; and settings that name two keys or a key it cannot use.
/// </summary>
public sealed class AsymmetricTokenTests(AsymmetricTokenTests.Servers servers) : IClassFixture<AsymmetricTokenTests.Servers>
{
    private const string Pull = """{"cursor":null}""";
    private static readonly Uri Loopback = new("http://127.0.0.1:0");

    private static readonly string[] Refusals = ["another key", "alg none", "HS256 keyed with the public key", "wrong issuer", "wrong audience", "expired", "not yet valid"];

    public static TheoryData<string> Kinds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string kind in Servers.Kinds)
            {
                data.Add(kind);
            }

            return data;
        }
    }

    public static TheoryData<string, string> BadTokens
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string kind in Servers.Kinds)
            {
                foreach (string why in Refusals)
                {
                    data.Add(kind, why);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_token_signed_by_the_trusted_key_is_accepted_in_a_header_and_on_a_websocket_upgrade(string kind)
    {
        Trusting server = servers[kind];
        string token = TestTokens.Create("alice", "team-a", issuer: server.Issuer, signing: server.Trusted);

        (HttpStatusCode status, JsonElement page, _) = await PullAsync(server.Process, token);
        await using RawWebSocket ws = await RawWebSocket.ConnectWithTokenAsync(server.Process.SyncUri, token, "concord.v1.json");
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");
        JsonElement welcome = await ws.ReceiveJsonAsync("welcome");

        Assert.True(status == HttpStatusCode.OK, $"{kind}: pull answered {status} {page}\n{server.Process.Output}");
        Assert.Equal(JsonValueKind.Array, page.GetProperty("records").ValueKind);
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_not_signed_by_the_trusted_key_or_not_meant_for_this_server_is_refused(string kind, string why)
    {
        Trusting server = servers[kind];
        string token = why switch
        {
            "another key" => TestTokens.Create("mallory", "team-a", issuer: server.Issuer, signing: server.Stranger),
            "alg none" => TestTokens.Unsigned("mallory", "team-a", issuer: server.Issuer),
            "HS256 keyed with the public key" => TestTokens.Create("mallory", "team-a", issuer: server.Issuer, signing: TestTokens.Hs256(Encoding.UTF8.GetBytes(server.PublicKeyPem), server.Trusted.Key.KeyId)),
            "wrong issuer" => TestTokens.Create("mallory", "team-a", issuer: "https://elsewhere.test", signing: server.Trusted),
            "wrong audience" => TestTokens.Create("mallory", "team-a", issuer: server.Issuer, audience: "someone-else", signing: server.Trusted),
            "expired" => TestTokens.Create("mallory", "team-a", issuer: server.Issuer, notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddHours(-1), signing: server.Trusted),
            "not yet valid" => TestTokens.Create("mallory", "team-a", issuer: server.Issuer, notBefore: DateTime.UtcNow.AddHours(1), expires: DateTime.UtcNow.AddHours(2), signing: server.Trusted),
            _ => throw new ArgumentOutOfRangeException(nameof(why), why, null),
        };

        (HttpStatusCode status, JsonElement error, HttpResponseMessage response) = await PullAsync(server.Process, token);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(Wait.DefaultTimeout);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(RawWebSocket.EndpointOf(server.Process.SyncUri) + "?access_token=" + Uri.EscapeDataString(token)), timeout.Token));

        Assert.True(status == HttpStatusCode.Unauthorized, $"{kind}, {why}: pull answered {status}");
        Assert.Equal("SYNC:UNAUTHORIZED", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task A_key_added_to_the_jwks_later_is_fetched_when_a_token_names_it()
    {
        using var folder = new TempDirectory();
        using RSA first = RSA.Create(2048), second = RSA.Create(2048);
        await using LoopbackAuthority authority = await LoopbackAuthority.StartAsync(TestTokens.Jwks(("first", first)));
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("rotation.db"), null, Loopback, "--jwt-jwks-url", authority.JwksUrl, "--jwt-audience", TestTokens.Audience);
        (HttpStatusCode before, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", signing: TestTokens.Rs256(first, "first")));

        authority.Publish(TestTokens.Jwks(("first", first), ("second", second)));
        string rotated = TestTokens.Create("alice", "team-a", signing: TestTokens.Rs256(second, "second"));
        await Wait.UntilAsync(async () => (await PullAsync(server, rotated)).Status == HttpStatusCode.OK, "a token signed by the newly published key to be accepted");

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.True(authority.JwksRequests >= 2, $"the JWKS was fetched {authority.JwksRequests} time(s)");
    }

    [Fact]
    public async Task The_jwt_section_of_a_settings_file_requires_tokens_as_the_options_do_and_only_an_open_server_warns()
    {
        using var folder = new TempDirectory();
        using RSA key = RSA.Create(2048);
        File.WriteAllText(folder.File("key.pem"), key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(folder.File("concord.json"), JsonSerializer.Serialize(new { Jwt = new { PublicKeyFile = folder.File("key.pem"), TestTokens.Issuer, TestTokens.Audience } }));
        File.WriteAllText(folder.File("open.json"), "{}");
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("configured.db"), null, Loopback, "--config", folder.File("concord.json"));
        await using ServerProcess open = await ServerProcess.StartAsync(folder.File("open.db"), null, Loopback, "--config", folder.File("open.json"));

        (HttpStatusCode anonymous, _, _) = await PullAsync(server, string.Empty);
        (HttpStatusCode signed, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", signing: TestTokens.Rs256(key)));
        (HttpStatusCode openToAll, _, _) = await PullAsync(open, string.Empty);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(HttpStatusCode.OK, signed);
        Assert.Equal(HttpStatusCode.OK, openToAll);
        Assert.DoesNotContain("no authentication", server.Output, StringComparison.Ordinal);
        Assert.Contains("WARNING: no authentication", open.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_that_cannot_be_read_refuse_every_token_and_say_so_in_the_log()
    {
        using var folder = new TempDirectory();
        using RSA key = RSA.Create(2048);
        await using LoopbackAuthority authority = await LoopbackAuthority.StartAsync(TestTokens.Jwks(("k1", key)));
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("no-keys.db"), null, Loopback, "--jwt-jwks-url", authority.Issuer + "/nothing-here.json");

        (HttpStatusCode status, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", signing: TestTokens.Rs256(key, "k1")));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        await Wait.UntilAsync(() => Task.FromResult(server.Output.Contains("signing keys could not be read", StringComparison.Ordinal)), "a warning in the server's log");
    }

    [Fact]
    public async Task Options_on_the_command_line_win_over_the_jwt_section()
    {
        using var folder = new TempDirectory();
        using RSA key = RSA.Create(2048);
        File.WriteAllText(folder.File("key.pem"), key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(folder.File("concord.json"), JsonSerializer.Serialize(new { Jwt = new { TestTokens.Secret, TestTokens.Issuer, Audience = "from-the-file" } }));
        await using ServerProcess server = await ServerProcess.StartAsync(folder.File("both.db"), null, Loopback, "--config", folder.File("concord.json"), "--jwt-public-key", folder.File("key.pem"), "--jwt-audience", TestTokens.Audience);

        (HttpStatusCode signed, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", signing: TestTokens.Rs256(key)));
        (HttpStatusCode fileSecret, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a"));
        (HttpStatusCode fileAudience, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", audience: "from-the-file", signing: TestTokens.Rs256(key)));
        (HttpStatusCode otherIssuer, _, _) = await PullAsync(server, TestTokens.Create("alice", "team-a", issuer: "https://elsewhere.test", signing: TestTokens.Rs256(key)));

        Assert.Equal(HttpStatusCode.OK, signed);
        Assert.Equal(HttpStatusCode.Unauthorized, fileSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, fileAudience);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuer);
    }

    [Theory]
    [InlineData("--jwt-secret " + TestTokens.Secret + " --jwt-public-key key.pem", null, "--jwt-secret and --jwt-public-key")]
    [InlineData("--jwt-authority https://auth.example.com --jwt-jwks-url https://auth.example.com/jwks.json", null, "--jwt-authority and --jwt-jwks-url")]
    [InlineData("", """{ "Jwt": { "Secret": "a-secret-of-at-least-thirty-two-bytes!!", "Authority": "https://auth.example.com" } }""", "--jwt-secret and --jwt-authority")]
    [InlineData("--jwt-authority http://auth.example.com", null, "must use HTTPS")]
    [InlineData("--jwt-jwks-url http://auth.example.com/jwks.json", null, "must use HTTPS")]
    [InlineData("--jwt-jwks-url keys.json", null, "absolute")]
    [InlineData("--jwt-public-key missing.pem", null, "missing.pem")]
    [InlineData("--jwt-public-key private.pem", null, "private key")]
    [InlineData("--jwt-public-key concord.json", """{ }""", "no RSA or EC public key")]
    [InlineData("--jwt-secret too-short", null, "32 bytes")]
    [InlineData("--jwt-issuer https://issuer.test", null, "need a key")]
    [InlineData("", """{ "Jwt": { "Authority": "https://auth.example.com", "Audiense": "concord" } }""", "Audiense")]
    public async Task Serve_refuses_two_keys_or_a_key_it_cannot_use_with_exit_code_2(string arguments, string? settings, string named)
    {
        using var folder = new TempDirectory();
        using RSA key = RSA.Create(2048);
        File.WriteAllText(folder.File("key.pem"), key.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(folder.File("private.pem"), key.ExportPkcs8PrivateKeyPem());
        var info = new ProcessStartInfo("dotnet", [ServerProcess.CliPath, "serve", "--db", folder.File("refused.db"), "--urls", "http://127.0.0.1:0", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)])
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (settings is not null)
        {
            File.WriteAllText(folder.File("concord.json"), settings);
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(folder.File("concord.json"));
        }

        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}\n{await output}\n{error}");
        Assert.Contains("concord: the settings are not valid", error, StringComparison.Ordinal);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("refused.db")));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PullAsync(ServerProcess server, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.SyncUri, "pull")) { Content = new StringContent(Pull, Encoding.UTF8, "application/json") };
        if (token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>A server and what it trusts: tokens from <see cref="Issuer"/> signed with <see cref="Trusted"/>; <see cref="Stranger"/> is a key of the same kind it does not know.</summary>
    public sealed record Trusting(ServerProcess Process, string Issuer, SigningCredentials Trusted, SigningCredentials Stranger, string PublicKeyPem);

    /// <summary>One <c>concord serve</c> for each way of naming asymmetric keys, and the loopback authority two of them read.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public const string RsaPem = "RS256, --jwt-public-key";
        public const string EcPem = "ES256, --jwt-public-key";
        public const string JwksUrl = "RS256, --jwt-jwks-url";
        public const string Authority = "RS256, --jwt-authority";
        public static readonly string[] Kinds = [RsaPem, EcPem, JwksUrl, Authority];

        private const string KeyId = "key-1";
        private readonly TempDirectory _folder = new();
        private readonly Dictionary<string, Trusting> _servers = [];
        private readonly RSA _rsa = RSA.Create(2048);
        private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        private LoopbackAuthority? _authority;

        public Trusting this[string kind] => _servers[kind];

        public async Task InitializeAsync()
        {
            string rsaPem = _rsa.ExportSubjectPublicKeyInfoPem(), ecPem = _ec.ExportSubjectPublicKeyInfoPem();
            File.WriteAllText(_folder.File("rsa.pem"), rsaPem);
            File.WriteAllText(_folder.File("ec.pem"), ecPem);
            _authority = await LoopbackAuthority.StartAsync(TestTokens.Jwks((KeyId, _rsa)));

            // The stranger names the trusted key's id: only the signature tells them apart.
            SigningCredentials rsa = TestTokens.Rs256(_rsa, KeyId), otherRsa = TestTokens.Rs256(RSA.Create(2048), KeyId);
            SigningCredentials ec = TestTokens.Es256(_ec), otherEc = TestTokens.Es256(ECDsa.Create(ECCurve.NamedCurves.nistP256));
            await StartAsync(RsaPem, TestTokens.Issuer, rsa, otherRsa, rsaPem, "--jwt-public-key", _folder.File("rsa.pem"), "--jwt-issuer", TestTokens.Issuer);
            await StartAsync(EcPem, TestTokens.Issuer, ec, otherEc, ecPem, "--jwt-public-key", _folder.File("ec.pem"), "--jwt-issuer", TestTokens.Issuer);
            await StartAsync(JwksUrl, TestTokens.Issuer, rsa, otherRsa, rsaPem, "--jwt-jwks-url", _authority.JwksUrl, "--jwt-issuer", TestTokens.Issuer);

            // No --jwt-issuer: the authority's discovery document names it.
            await StartAsync(Authority, _authority.Issuer, rsa, otherRsa, rsaPem, "--jwt-authority", _authority.Issuer);
        }

        public async Task DisposeAsync()
        {
            foreach (Trusting server in _servers.Values)
            {
                await server.Process.DisposeAsync();
            }

            if (_authority is not null)
            {
                await _authority.DisposeAsync();
            }

            _rsa.Dispose();
            _ec.Dispose();
            _folder.Dispose();
        }

        private async Task StartAsync(string kind, string issuer, SigningCredentials trusted, SigningCredentials stranger, string publicKeyPem, params string[] arguments)
        {
            ServerProcess process = await ServerProcess.StartAsync(_folder.File($"{_servers.Count}.db"), null, Loopback, [.. arguments, "--jwt-audience", TestTokens.Audience]);
            _servers[kind] = new Trusting(process, issuer, trusted, stranger, publicKeyPem);
        }
    }
}
