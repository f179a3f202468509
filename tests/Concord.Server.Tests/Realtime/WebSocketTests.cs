using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Concord.Protocol;
using Concord.Protocol.Realtime;
using Concord.Testing;

namespace Concord.Server.Tests.Realtime;

/// <summary>The WebSocket endpoint over real sockets: handshake, requests with ids, fan-out, and refusals.</summary>
public sealed class WebSocketTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private ConcordTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ConcordTestServer.StartAsync(_folder.File("ws.db"), o => o.Limits = o.Limits with { MaxBodyBytes = 64 * 1024 });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Hello_is_welcomed_with_the_protocol_version_and_the_tenants_version()
    {
        await PushOverHttpAsync("w1", "\"before\"");
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, JsonFrameCodec.Name);

        Assert.Equal(JsonFrameCodec.Name, ws.Socket.SubProtocol);
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"phone-1"}""");
        JsonElement welcome = await ws.ReceiveJsonAsync();

        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal(1, welcome.GetProperty("protocolVersion").GetInt32());
        Assert.Equal(1, welcome.GetProperty("version").GetInt64());
        Assert.Matches("^[0-9a-f]{16}-server$", welcome.GetProperty("hlc").GetString());
    }

    [Fact]
    public async Task Answers_repeat_the_request_id_as_it_came_and_carry_the_http_bodys_fields()
    {
        await using RawWebSocket ws = await HelloAsync();
        string change = Change("w2", "title", "\"hello\"");

        await ws.SendAsync($$"""{"type":"push","id":7,"clientId":"phone-1","changes":[{{change}}]}""");
        JsonElement pushed = await ws.ReceiveJsonAsync("pushResult");
        await ws.SendAsync("""{"id":"p-1","type":"pull","cursor":null}""");
        JsonElement pulled = await ws.ReceiveJsonAsync("pullResult");
        (HttpStatusCode status, JsonElement http) = await SyncApi.PostAsync(_server.Http, "pull", """{"cursor":null}""");

        Assert.Equal(JsonValueKind.Number, pushed.GetProperty("id").ValueKind);
        Assert.Equal(7, pushed.GetProperty("id").GetInt32());
        Assert.Equal("applied", pushed.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("p-1", pulled.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            Members(http, "hlc"),
            Members(pulled, "hlc", "type", "id"));
    }

    [Fact]
    public async Task A_caught_up_connection_gets_the_new_records_and_a_cursor_that_needs_nothing_more()
    {
        await using RawWebSocket ws = await HelloAsync();
        await ws.SendAsync("""{"type":"pull","id":1,"cursor":null}""");
        await ws.ReceiveJsonAsync("pullResult");

        await PushOverHttpAsync("w3", "\"from elsewhere\"");
        JsonElement changes = await ws.ReceiveJsonAsync("changes");
        string cursor = changes.GetProperty("cursor").GetString()!;
        (_, JsonElement after) = await SyncApi.PostAsync(_server.Http, "pull", $$"""{"cursor":"{{cursor}}"}""");

        JsonElement record = Assert.Single(changes.GetProperty("records").EnumerateArray().ToArray());
        Assert.Equal("w3", record.GetProperty("id").GetString());
        Assert.Equal("\"from elsewhere\"", record.GetProperty("fields").GetProperty("title").GetRawText());
        Assert.False(changes.TryGetProperty("id", out _));
        Assert.Empty(after.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task A_connection_that_has_not_pulled_is_poked_instead()
    {
        await using RawWebSocket ws = await HelloAsync();

        await PushOverHttpAsync("w4", "1");
        JsonElement poke = await ws.ReceiveJsonAsync();

        Assert.Equal("poke", poke.GetProperty("type").GetString());
        Assert.Equal(1, poke.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_hello_with_the_current_cursor_is_caught_up_at_once()
    {
        await PushOverHttpAsync("w5", "1");
        (_, JsonElement page) = await SyncApi.PostAsync(_server.Http, "pull", """{"cursor":null}""");
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, JsonFrameCodec.Name);
        await ws.SendAsync($$"""{"type":"hello","protocolVersion":1,"clientId":"c","cursor":"{{page.GetProperty("cursor").GetString()}}"}""");
        await ws.ReceiveJsonAsync("welcome");

        await PushOverHttpAsync("w6", "2");

        JsonElement changes = await ws.ReceiveJsonAsync();
        Assert.Equal("changes", changes.GetProperty("type").GetString());
        Assert.Equal("w6", Assert.Single(changes.GetProperty("records").EnumerateArray().ToArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Ping_is_answered_with_pong_and_its_id()
    {
        await using RawWebSocket ws = await HelloAsync();

        await ws.SendAsync("""{"type":"ping","id":"hb"}""");
        JsonElement pong = await ws.ReceiveJsonAsync();

        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal("hb", pong.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("""{"type":"push","id":1,"clientId":"c","changes":[]}""")]
    [InlineData("""not json""")]
    [InlineData("""{"type":"hello","protocolVersion":1}""")]
    public async Task A_first_frame_that_is_not_a_valid_hello_is_answered_with_an_error_and_closes(string first)
    {
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, JsonFrameCodec.Name);

        await ws.SendAsync(first);
        JsonElement error = await ws.ReceiveJsonAsync();

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("SYNC:BAD_REQUEST", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ws.ClosedAsync());
    }

    [Fact]
    public async Task An_unsupported_protocol_version_is_refused_and_closes()
    {
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, JsonFrameCodec.Name);

        await ws.SendAsync("""{"type":"hello","id":1,"protocolVersion":99,"clientId":"c"}""");
        JsonElement error = await ws.ReceiveJsonAsync();

        Assert.Equal("SYNC:UNSUPPORTED_PROTOCOL", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, error.GetProperty("id").GetInt32());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ws.ClosedAsync());
    }

    [Theory]
    [InlineData("""{"type":"pull","id":3,"cursor":12}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":3,"cursor":null,"surprise":true}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":3,"cursor":"not-a-cursor"}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"welcome","id":3,"protocolVersion":1,"hlc":"0000000000000000-c","version":1}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"teleport","id":3}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"ping","id":3,"extra":1}""", "SYNC:BAD_REQUEST")]
    [InlineData("""[1,2,3]""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":{"nested":1},"cursor":null}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":-1,"cursor":null}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":1.5,"cursor":null}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","id":"0123456789012345678901234567890123456789012345678901234567890123x","cursor":null}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"pull","type":"push","id":3,"cursor":null}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":null,"id":3}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"id":3}""", "SYNC:BAD_REQUEST")]
    [InlineData("""{"type":"push","id":3,"clientId":"c","changes":[{"opId":"o","collection":"c","id":"x","kind":"put","fields":{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]},"hlc":"0000000000000000-c"}]}""", "SYNC:BAD_REQUEST")]
    [InlineData("{\"type\":\"ping\"", "SYNC:BAD_REQUEST")]
    [InlineData("\u0000\u0001", "SYNC:BAD_REQUEST")]
    public async Task A_bad_frame_after_hello_gets_an_error_and_the_connection_stays(string frame, string code)
    {
        await using RawWebSocket ws = await HelloAsync();

        await ws.SendAsync(frame);
        JsonElement error = await ws.ReceiveJsonAsync();
        await ws.SendAsync("""{"type":"ping"}""");

        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetProperty("helpUrl").GetString()));
        Assert.Equal("pong", (await ws.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_refused_change_is_answered_in_its_push_result_not_as_an_error()
    {
        await using RawWebSocket ws = await HelloAsync();

        await ws.SendAsync("""{"type":"push","id":3,"clientId":"c","changes":[{"opId":"o","collection":"no spaces","id":"x","kind":"put","fields":{},"hlc":"0000000000000000-c"}]}""");
        JsonElement result = await ws.ReceiveJsonAsync();

        Assert.Equal("pushResult", result.GetProperty("type").GetString());
        Assert.Equal("rejected", result.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("SYNC:INVALID_CHANGE", result.GetProperty("results")[0].GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_replayed_push_frame_is_answered_as_a_duplicate_and_applied_once()
    {
        await using RawWebSocket ws = await HelloAsync();
        string push = $$"""{"type":"push","id":1,"clientId":"phone-1","changes":[{{Change("w8", "title", "\"twice\"")}}]}""";
        JsonElement before = await SyncApi.StatsAsync(_server.Http);

        await ws.SendAsync(push);
        JsonElement first = await ws.ReceiveJsonAsync("pushResult");
        await ws.SendAsync(push);
        JsonElement second = await ws.ReceiveJsonAsync("pushResult");
        JsonElement after = await SyncApi.StatsAsync(_server.Http);

        Assert.Equal("applied", first.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("duplicate", second.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("results")[0].GetProperty("version").GetInt64(), second.GetProperty("results")[0].GetProperty("version").GetInt64());
        Assert.Equal(before.GetProperty("appliedOps").GetInt64() + 1, after.GetProperty("appliedOps").GetInt64());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("d9010083")]
    [InlineData("d901008364707573680a")]
    [InlineData("d901008364707573680aa1")]
    [InlineData("d90100836474656c65f6f6")]
    [InlineData("d90100836470696e67f6a0")]
    [InlineData("9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f")]
    public async Task A_bad_cbor_frame_after_hello_gets_an_error_and_the_connection_stays(string hex)
    {
        var codec = new CborFrameCodec(new ProtocolLimits());
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, CborFrameCodec.Name);
        await ws.SendAsync(Encode(codec, new RealtimeFrame(FrameTypes.Hello, null, new HelloMessage { ProtocolVersion = 1, ClientId = "cbor-2" })));
        Assert.IsType<WelcomeMessage>((await ReceiveCborAsync(ws, codec)).Body);
        long records = (await SyncApi.StatsAsync(_server.Http)).GetProperty("records").GetInt64();

        await ws.SendAsync(Convert.FromHexString(hex));
        RealtimeFrame error = await ReceiveCborAsync(ws, codec);
        await ws.SendAsync(Encode(codec, new RealtimeFrame(FrameTypes.Ping, FrameId.From(9))));
        RealtimeFrame pong = await ReceiveCborAsync(ws, codec);

        Assert.Equal("SYNC:BAD_REQUEST", Assert.IsType<ErrorResponse>(error.Body).Error.Code);
        Assert.Equal(FrameTypes.Pong, pong.Type);
        Assert.Equal(FrameId.From(9), pong.Id);
        Assert.Equal(records, (await SyncApi.StatsAsync(_server.Http)).GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_and_closes()
    {
        await using RawWebSocket ws = await HelloAsync();

        await ws.SendAsync($$"""{"type":"ping","pad":"{{new string('x', 70 * 1024)}}"}""");
        JsonElement error = await ws.ReceiveJsonAsync();

        Assert.Equal("SYNC:PAYLOAD_TOO_LARGE", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await ws.ClosedAsync());
    }

    [Fact]
    public async Task An_unknown_subprotocol_or_a_plain_request_is_refused_before_the_upgrade()
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(RawWebSocket.EndpointOf(_server.SyncUri), CancellationToken.None));
        (HttpStatusCode plainStatus, JsonElement plain) = await SyncApi.SendAsync(_server.Http, new HttpRequestMessage(HttpMethod.Get, "api/sync/ws"));

        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, plainStatus);
        Assert.Equal("SYNC:BAD_REQUEST", plain.GetProperty("error").GetProperty("code").GetString());
        socket.Dispose();
    }

    [Fact]
    public async Task Without_a_subprotocol_the_connection_speaks_json()
    {
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri);

        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"c"}""");

        Assert.Null(ws.Socket.SubProtocol);
        Assert.Equal("welcome", (await ws.ReceiveJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Cbor_frames_carry_the_same_exchange_in_binary()
    {
        var codec = new CborFrameCodec(new ProtocolLimits());
        await using RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, CborFrameCodec.Name);
        Assert.Equal(CborFrameCodec.Name, ws.Socket.SubProtocol);

        await ws.SendAsync(Encode(codec, new RealtimeFrame(FrameTypes.Hello, null, new HelloMessage { ProtocolVersion = 1, ClientId = "cbor-1" })));
        RealtimeFrame welcome = await ReceiveCborAsync(ws, codec);
        await ws.SendAsync(Encode(codec, new RealtimeFrame(FrameTypes.Pull, FrameId.From(1), new PullRequest { Cursor = null })));
        RealtimeFrame pulled = await ReceiveCborAsync(ws, codec);
        await PushOverHttpAsync("w7", "\"cbor\"");
        RealtimeFrame changes = await ReceiveCborAsync(ws, codec);

        Assert.IsType<WelcomeMessage>(welcome.Body);
        Assert.Equal(FrameId.From(1), pulled.Id);
        Assert.IsType<PullResponse>(pulled.Body);
        RecordMessage record = Assert.Single(Assert.IsType<ChangesMessage>(changes.Body).Records);
        Assert.Equal("{\"title\":\"cbor\"}", record.Fields.ToString());
    }

    private async Task<RawWebSocket> HelloAsync()
    {
        RawWebSocket ws = await RawWebSocket.ConnectAsync(_server.SyncUri, JsonFrameCodec.Name);
        await ws.SendAsync("""{"type":"hello","protocolVersion":1,"clientId":"phone-1"}""");
        await ws.ReceiveJsonAsync("welcome");
        return ws;
    }

    private async Task PushOverHttpAsync(string id, string title)
    {
        (HttpStatusCode status, JsonElement body) = await SyncApi.PostAsync(_server.Http, "push", $$"""{"clientId":"other","changes":[{{Change(id, "title", title)}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("applied", body.GetProperty("results")[0].GetProperty("status").GetString());
    }

    private static string Change(string id, string field, string value) =>
        $$"""{"opId":"{{Guid.CreateVersion7()}}","collection":"notes","id":"{{id}}","kind":"put","fields":{"{{field}}":{{value}}},"hlc":"{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000:x12}}0000-tester"}""";

    private static Dictionary<string, string> Members(JsonElement element, params string[] except) =>
        element.EnumerateObject().Where(p => !except.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value.GetRawText());

    private static byte[] Encode(CborFrameCodec codec, RealtimeFrame frame)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        codec.Encode(frame, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<RealtimeFrame> ReceiveCborAsync(RawWebSocket ws, CborFrameCodec codec)
    {
        (WebSocketMessageType type, byte[] bytes) = (await ws.ReceiveAsync())!.Value;
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.True(codec.TryDecode(bytes, out RealtimeFrame? frame, out FrameError? error), error?.Error.Message);
        return frame;
    }
}
