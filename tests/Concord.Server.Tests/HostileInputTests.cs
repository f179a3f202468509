using System.Net;
using System.Text;
using System.Text.Json;
using Concord.Errors;
using Concord.Testing;
using static Concord.Server.Tests.SyncApi;

namespace Concord.Server.Tests;

/// <summary>Bad input gets the right SYNC:* error and status, and never changes the store or stops the server.</summary>
public sealed class HostileInputTests(HostileServerFixture fixture) : IClassFixture<HostileServerFixture>
{
    private HttpClient Http => fixture.Server.Http;

    public static TheoryData<string, string, string, int, string> BadRequests => new()
    {
        { "malformed JSON", "push", "{\"clientId\":", 400, SyncErrorCodes.BadRequest },
        { "not JSON", "push", "hello", 400, SyncErrorCodes.BadRequest },
        { "trailing garbage", "push", Push(Change()) + "}", 400, SyncErrorCodes.BadRequest },
        { "empty body", "push", string.Empty, 400, SyncErrorCodes.BadRequest },
        { "JSON null", "push", "null", 400, SyncErrorCodes.BadRequest },
        { "changes is a string", "push", "{\"clientId\":\"c1\",\"changes\":\"x\"}", 400, SyncErrorCodes.BadRequest },
        { "clientId is a number", "push", "{\"clientId\":5,\"changes\":[]}", 400, SyncErrorCodes.BadRequest },
        { "clientId is null", "push", "{\"clientId\":null,\"changes\":[]}", 400, SyncErrorCodes.BadRequest },
        { "clientId missing", "push", "{\"changes\":[]}", 400, SyncErrorCodes.BadRequest },
        { "changes missing", "push", "{\"clientId\":\"c1\"}", 400, SyncErrorCodes.BadRequest },
        { "unknown member", "push", "{\"clientId\":\"c1\",\"changes\":[],\"admin\":true}", 400, SyncErrorCodes.BadRequest },
        { "unknown member in a change", "push", Push(Change(extra: ",\"sql\":\"DROP TABLE\"")), 400, SyncErrorCodes.BadRequest },
        { "kind is a number", "push", Push(Change(kind: "3")), 400, SyncErrorCodes.BadRequest },
        { "opId missing", "push", Push("{\"collection\":\"todos\",\"id\":\"r\",\"kind\":\"put\",\"fields\":{},\"hlc\":\"0190f3a2b4c10000-n1\"}"), 400, SyncErrorCodes.BadRequest },
        { "opId empty", "push", Push(Change(opId: string.Empty)), 400, SyncErrorCodes.BadRequest },
        { "opId too long", "push", Push(Change(opId: new string('o', 129))), 400, SyncErrorCodes.BadRequest },
        { "opId with a control character", "push", Push(Change(opId: "a\\u0007b")), 400, SyncErrorCodes.BadRequest },
        { "clientId too long", "push", "{\"clientId\":\"" + new string('c', 200) + "\",\"changes\":[]}", 400, SyncErrorCodes.BadRequest },
        { "nesting deeper than allowed", "push", Push(Change(fields: "{\"a\":[[[[[1]]]]]}")), 400, SyncErrorCodes.BadRequest },
        { "nesting a thousand deep", "push", Push(Change(fields: "{\"a\":" + new string('[', 1000) + new string(']', 1000) + "}")), 400, SyncErrorCodes.BadRequest },
        { "baseVersion is a string", "push", Push(Change(extra: ",\"baseVersion\":\"3\"")), 400, SyncErrorCodes.BadRequest },
        { "too many changes", "push", Push(Enumerable.Range(0, HostileServerFixture.MaxBatchChanges + 1).Select(i => Change(opId: $"op{i}")).ToArray()), 413, SyncErrorCodes.PayloadTooLarge },
        { "id with a lone surrogate escape", "push", Push(Change(id: "\"a\\ud800b\"")), 400, SyncErrorCodes.BadRequest },
        { "field name with a lone surrogate escape", "push", Push(Change(fields: "{\"a\\ud800\":1}")), 400, SyncErrorCodes.BadRequest },
        { "field value with a lone surrogate escape", "push", Push(Change(fields: "{\"a\":[\"\\udc00\\ud800\"]}")), 400, SyncErrorCodes.BadRequest },
        { "number of 1,001 digits", "push", Push(Change(fields: "{\"a\":" + new string('9', 1001) + "}")), 400, SyncErrorCodes.BadRequest },
        { "pull limit zero", "pull", "{\"cursor\":null,\"limit\":0}", 400, SyncErrorCodes.BadRequest },
        { "pull limit as text", "pull", "{\"cursor\":null,\"limit\":\"10\"}", 400, SyncErrorCodes.BadRequest },
        { "pull cursor is a number", "pull", "{\"cursor\":12}", 400, SyncErrorCodes.BadRequest },
        { "bogus cursor", "pull", "{\"cursor\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", 400, SyncErrorCodes.BadRequest },
        { "cursor of random text", "pull", "{\"cursor\":\"'; DROP TABLE concord_records; --\"}", 400, SyncErrorCodes.BadRequest },
        { "hostile collection in a pull", "pull", "{\"cursor\":null,\"collections\":[\"todos') OR 1=1 --\"]}", 400, SyncErrorCodes.BadRequest },
        { "unknown member in a pull", "pull", "{\"cursor\":null,\"since\":0}", 400, SyncErrorCodes.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Malformed_requests_are_refused_whole_and_change_nothing(string why, string path, string body, int status, string code)
    {
        JsonElement before = await StatsAsync(Http);

        (HttpStatusCode actualStatus, JsonElement answer) = await PostAsync(Http, path, body);

        Assert.True(status == (int)actualStatus, $"{why}: expected {status}, got {(int)actualStatus} {answer}");
        Assert.Equal(code, ErrorCode(answer));
        Assert.StartsWith(SyncError.DocumentationUrl + "#", answer.GetProperty("error").GetProperty("helpUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.GetRawText(), (await StatsAsync(Http)).GetRawText());
    }

    public static TheoryData<string, string, string, string> BadChanges => new()
    {
        { "empty collection", Change(collection: "\"\""), SyncErrorCodes.InvalidChange, "collection" },
        { "collection with a space", Change(collection: "\"my todos\""), SyncErrorCodes.InvalidChange, "collection" },
        { "collection starting with a digit", Change(collection: "\"1todos\""), SyncErrorCodes.InvalidChange, "collection" },
        { "collection with SQL", Change(collection: "\"todos;DROP TABLE concord_records\""), SyncErrorCodes.InvalidChange, "collection" },
        { "collection path traversal", Change(collection: "\"../../etc\""), SyncErrorCodes.InvalidChange, "collection" },
        { "collection of 65 characters", Change(collection: "\"" + new string('c', 65) + "\""), SyncErrorCodes.InvalidChange, "collection" },
        { "empty id", Change(id: "\"\""), SyncErrorCodes.InvalidChange, "id" },
        { "id of 257 characters", Change(id: "\"" + new string('i', 257) + "\""), SyncErrorCodes.InvalidChange, "id" },
        { "id with a NUL", Change(id: "\"a\\u0000b\""), SyncErrorCodes.InvalidChange, "id" },
        { "id with a newline", Change(id: "\"a\\nb\""), SyncErrorCodes.InvalidChange, "id" },
        { "unknown kind", Change(kind: "\"upsert\""), SyncErrorCodes.InvalidChange, "kind" },
        { "fields is an array", Change(fields: "[1,2]"), SyncErrorCodes.InvalidChange, "fields" },
        { "fields is a string", Change(fields: "\"x\""), SyncErrorCodes.InvalidChange, "fields" },
        { "fields missing on a put", Change(fields: "null"), SyncErrorCodes.InvalidChange, "fields" },
        { "a field named twice", Change(fields: "{\"a\":1,\"a\":2}"), SyncErrorCodes.InvalidChange, "fields" },
        { "an empty field name", Change(fields: "{\"\":1}"), SyncErrorCodes.InvalidChange, "fields" },
        { "a field name with a control character", Change(fields: "{\"a\\u0001\":1}"), SyncErrorCodes.InvalidChange, "fields" },
        { "too many fields", Change(fields: "{" + string.Join(',', Enumerable.Range(0, HostileServerFixture.MaxFields + 1).Select(i => $"\"f{i}\":{i}")) + "}"), SyncErrorCodes.InvalidChange, "fields" },
        { "a delete with fields", Change(kind: "\"delete\"", fields: "{\"a\":1}"), SyncErrorCodes.InvalidChange, "fields" },
        { "uppercase hlc", Change(hlc: "\"0190F3A2B4C10000-n1\""), SyncErrorCodes.InvalidChange, "hlc" },
        { "hlc without node", Change(hlc: "\"0190f3a2b4c10000\""), SyncErrorCodes.InvalidChange, "hlc" },
        { "hlc of garbage", Change(hlc: "\"yesterday\""), SyncErrorCodes.InvalidChange, "hlc" },
        { "negative baseVersion", Change(extra: ",\"baseVersion\":-1"), SyncErrorCodes.InvalidChange, "baseVersion" },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task An_invalid_change_is_rejected_alone_with_the_field_at_fault(string why, string change, string code, string field)
    {
        JsonElement before = await StatsAsync(Http);

        (HttpStatusCode status, JsonElement answer) = await PostAsync(Http, "push", Push(change));

        Assert.True(status == HttpStatusCode.OK, $"{why}: {status} {answer}");
        JsonElement result = answer.GetProperty("results")[0];
        Assert.Equal("rejected", result.GetProperty("status").GetString());
        Assert.False(result.TryGetProperty("version", out _));
        Assert.Equal(code, result.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(field, result.GetProperty("error").GetProperty("meta").GetProperty("field").GetString());
        Assert.Equal(before.GetRawText(), (await StatsAsync(Http)).GetRawText());
    }

    [Fact]
    public async Task A_change_stamped_a_day_ahead_is_refused_as_clock_drift()
    {
        long dayAhead = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
        string hlc = $"\"{dayAhead:x12}0000-liar\"";
        JsonElement before = await StatsAsync(Http);

        (HttpStatusCode status, JsonElement answer) = await PostAsync(Http, "push", Push(Change(hlc: hlc)));

        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement error = answer.GetProperty("results")[0].GetProperty("error");
        Assert.Equal(SyncErrorCodes.ClockDrift, error.GetProperty("code").GetString());
        Assert.InRange(error.GetProperty("meta").GetProperty("aheadMs").GetInt64(), 86_300_000, 86_500_000);
        Assert.Equal(before.GetRawText(), (await StatsAsync(Http)).GetRawText());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_it_is_read_whole()
    {
        string huge = Push(Change(fields: "{\"blob\":\"" + new string('x', HostileServerFixture.MaxBodyBytes) + "\"}"));

        (HttpStatusCode withLength, JsonElement answer) = await PostAsync(Http, "push", huge);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "api/sync/push")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))),
        };
        chunked.Headers.TransferEncodingChunked = true;
        (HttpStatusCode withoutLength, JsonElement chunkedAnswer) = await SendAsync(Http, chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength);
        Assert.Equal(SyncErrorCodes.PayloadTooLarge, ErrorCode(answer));
        Assert.Equal("maxBodyBytes", answer.GetProperty("error").GetProperty("meta").GetProperty("limit").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withoutLength);
        Assert.Equal(SyncErrorCodes.PayloadTooLarge, ErrorCode(chunkedAnswer));
    }

    [Fact]
    public async Task Invalid_utf8_is_a_bad_request()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"clientId\":\"c"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\",\"changes\":[]}")];

        (HttpStatusCode status, JsonElement answer) = await PostBytesAsync(Http, "push", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(SyncErrorCodes.BadRequest, ErrorCode(answer));
    }

    [Fact]
    public async Task Nesting_exactly_at_the_limit_is_accepted()
    {
        string fields = "{\"a\":" + new string('[', HostileServerFixture.MaxDepth) + new string(']', HostileServerFixture.MaxDepth) + "}";

        (HttpStatusCode status, JsonElement answer) = await PostAsync(Http, "push", Push(Change(opId: "deep-ok", id: "\"deep\"", fields: fields)));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual("rejected", answer.GetProperty("results")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_cursor_from_another_store_is_stale()
    {
        using var folder = new TempDirectory();
        await using ConcordTestServer other = await ConcordTestServer.StartAsync(folder.File("other.db"));
        (_, JsonElement page) = await PostAsync(other.Http, "pull", "{\"cursor\":null}");
        string foreign = page.GetProperty("cursor").GetString()!;

        (HttpStatusCode status, JsonElement answer) = await PostAsync(Http, "pull", $"{{\"cursor\":\"{foreign}\"}}");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(SyncErrorCodes.CursorStale, ErrorCode(answer));
    }

    [Fact]
    public async Task A_pull_limit_above_the_maximum_is_cut_not_refused()
    {
        (HttpStatusCode status, _) = await PostAsync(Http, "pull", "{\"cursor\":null,\"limit\":2147483647}");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("GET", "push", 405)]
    [InlineData("PUT", "pull", 405)]
    [InlineData("DELETE", "stats", 405)]
    [InlineData("GET", "admin", 404)]
    [InlineData("POST", "push/extra", 404)]
    public async Task Wrong_methods_and_paths_get_a_sync_error(string method, string path, int status)
    {
        (HttpStatusCode actual, JsonElement answer) = await SendAsync(Http, new HttpRequestMessage(new HttpMethod(method), "api/sync/" + path));

        Assert.Equal(status, (int)actual);
        Assert.Equal(status == 404 ? SyncErrorCodes.NotFound : SyncErrorCodes.BadRequest, ErrorCode(answer));
    }

    [Fact]
    public async Task An_unsupported_protocol_version_is_named_as_such()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/sync/pull") { Content = new StringContent("{\"cursor\":null}") };
        request.Headers.Add("Concord-Protocol", "2");

        (HttpStatusCode status, JsonElement answer) = await SendAsync(Http, request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(SyncErrorCodes.UnsupportedProtocol, ErrorCode(answer));
    }

    [Fact]
    public async Task The_server_stays_healthy_after_a_barrage_of_garbage()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            byte[] garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            (HttpStatusCode status, JsonElement answer) = await PostBytesAsync(Http, i % 2 == 0 ? "push" : "pull", garbage);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal(SyncErrorCodes.BadRequest, ErrorCode(answer));
        }

        Assert.Equal("Healthy", await Http.GetStringAsync("health"));
    }
}
