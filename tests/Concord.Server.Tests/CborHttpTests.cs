using System.Net;
using System.Net.Http.Headers;
using Concord.Errors;
using Concord.Protocol;
using Concord.Protocol.Cbor;

namespace Concord.Server.Tests;

/// <summary>The protocol in CBOR over real HTTP: negotiation by Content-Type and Accept, and hostile CBOR.</summary>
public sealed class CborHttpTests(HostileServerFixture fixture) : IClassFixture<HostileServerFixture>
{
    private readonly CborProtocolCodec _cbor = new(new ProtocolLimits());

    [Fact]
    public async Task A_cbor_push_and_pull_get_cbor_answers()
    {
        long hlc = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        var push = new PushRequest
        {
            ClientId = "cbor-client",
            Changes = [new ChangeMessage { OpId = Guid.CreateVersion7().ToString(), Collection = "cbor", Id = Guid.CreateVersion7().ToString(), Kind = "put", Fields = Records.RawJsonValue.Parse("{\"a\":1}"), Hlc = $"{hlc:x12}0000-cborclient" }],
        };

        PushResponse pushed = await SendAsync<PushRequest, PushResponse>("push", push);
        PullResponse page = await SendAsync<PullRequest, PullResponse>("pull", new PullRequest { Cursor = null, Collections = ["cbor"] });

        Assert.Equal(ChangeStatus.Applied, Assert.Single(pushed.Results).Status);
        Assert.Contains(page.Records, r => r.Id == push.Changes[0].Id && r.Fields.ToString() == "{\"a\":1}");
    }

    [Fact]
    public async Task A_cbor_push_nested_exactly_at_the_limit_is_applied_and_pulled_back()
    {
        string deep = new string('[', HostileServerFixture.MaxDepth) + new string(']', HostileServerFixture.MaxDepth);
        long hlc = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        var push = new PushRequest
        {
            ClientId = "cbor-client",
            Changes = [new ChangeMessage { OpId = Guid.CreateVersion7().ToString(), Collection = "cbordeep", Id = "deep", Kind = "put", Fields = Records.RawJsonValue.Parse($"{{\"a\":{deep}}}"), Hlc = $"{hlc:x12}0000-cborclient" }],
        };

        PushResponse pushed = await SendAsync<PushRequest, PushResponse>("push", push);
        PullResponse page = await SendAsync<PullRequest, PullResponse>("pull", new PullRequest { Cursor = null, Collections = ["cbordeep"] });

        Assert.Equal(ChangeStatus.Applied, Assert.Single(pushed.Results).Status);
        Assert.Equal($"{{\"a\":{deep}}}", Assert.Single(page.Records).Fields.ToString());
    }

    [Fact]
    public async Task Integers_of_any_size_keep_their_digits_from_a_json_push_to_a_cbor_pull_and_back()
    {
        // In the order the server stores fields, so that texts compare.
        const string Fields = "{\"big\":1000000000000000000000000000000,\"max\":18446744073709551615,\"neg\":-18446744073709551616,\"zero\":-0}";
        long hlc = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000;
        string json = $"{{\"clientId\":\"json-client\",\"changes\":[{{\"opId\":\"{Guid.CreateVersion7()}\",\"collection\":\"numbers\",\"id\":\"from-json\",\"kind\":\"put\",\"fields\":{Fields},\"hlc\":\"{hlc:x12}0000-jsonclient\"}}]}}";
        using HttpResponseMessage pushed = await fixture.Server.Http.PostAsync("api/sync/push", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        pushed.EnsureSuccessStatusCode();

        PullResponse page = await SendAsync<PullRequest, PullResponse>("pull", new PullRequest { Cursor = null, Collections = ["numbers"] });
        RecordMessage record = Assert.Single(page.Records);
        record.Id = "from-cbor";
        await SendAsync<PushRequest, PushResponse>("push", new PushRequest
        {
            ClientId = "cbor-client",
            Changes = [new ChangeMessage { OpId = Guid.CreateVersion7().ToString(), Collection = "numbers", Id = "from-cbor", Kind = "put", Fields = record.Fields, Hlc = $"{hlc:x12}0001-cborclient" }],
        });
        string jsonPage = await (await fixture.Server.Http.PostAsync("api/sync/pull", new StringContent("{\"cursor\":null,\"collections\":[\"numbers\"]}", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();

        Assert.Equal(Fields, record.Fields.ToString());
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(jsonPage, System.Text.RegularExpressions.Regex.Escape("\"fields\":" + Fields)));
    }

    [Fact]
    public async Task A_json_request_that_accepts_cbor_gets_cbor()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sync/pull") { Content = new StringContent("{\"cursor\":null}") };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/cbor"));

        using HttpResponseMessage response = await fixture.Server.Http.SendAsync(request);

        Assert.Equal("application/cbor", response.Content.Headers.ContentType?.MediaType);
        Assert.True(_cbor.TryDecode(await response.Content.ReadAsByteArrayAsync(), out PullResponse? _, out SyncError? error), error?.Message);
    }

    [Theory]
    [InlineData("push", "")]
    [InlineData("push", "ff")]
    [InlineData("push", "5f41")]
    [InlineData("push", "9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f")]
    [InlineData("push", "a2006263310181a5006261620165746f646f7302617203000482")]
    [InlineData("push", "a20001018000")]
    [InlineData("pull", "a10018")]
    [InlineData("pull", "a100fb7ff8000000000000")]
    [InlineData("pull", "a100d8199902")]
    public async Task Hostile_cbor_is_a_bad_request_answered_in_cbor_and_changes_nothing(string path, string hex)
    {
        string before = await fixture.Server.Http.GetStringAsync("api/sync/stats");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sync/" + path) { Content = new ByteArrayContent(Convert.FromHexString(hex)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cbor");

        using HttpResponseMessage response = await fixture.Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(_cbor.TryDecode(await response.Content.ReadAsByteArrayAsync(), out ErrorResponse? failure, out SyncError? error), error?.Message);
        Assert.Equal(SyncErrorCodes.BadRequest, failure.Error.Code);
        Assert.Equal(before, await fixture.Server.Http.GetStringAsync("api/sync/stats"));
        Assert.Equal("Healthy", await fixture.Server.Http.GetStringAsync("health"));
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(string path, TRequest message)
        where TRequest : class
        where TResponse : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/sync/" + path) { Content = new ByteArrayContent(_cbor.EncodeToArray(message)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cbor");
        using HttpResponseMessage response = await fixture.Server.Http.SendAsync(request);
        Assert.Equal("application/cbor", response.Content.Headers.ContentType?.MediaType);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(_cbor.TryDecode(body, out TResponse? decoded, out SyncError? error), error?.Message);
        return decoded;
    }
}
