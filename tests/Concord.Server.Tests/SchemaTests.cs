using System.Net;
using System.Text.Json;
using Concord.Server.Schema;
using Concord.Testing;

namespace Concord.Server.Tests;

/// <summary>Declared fields checked on push: each refused change comes back rejected with the field named, and the rest of its batch applies.</summary>
public sealed class SchemaTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private ConcordTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ConcordTestServer.StartAsync(_folder.File("schema.db"), o =>
        {
            o.AllowUndeclaredCollections = false;
            o.Collection("tasks", c =>
            {
                c.Field("title", FieldType.String, required: true, maxLength: 10).Field("points", FieldType.Integer).Field("tags", FieldType.Array, maxLength: 2);
                c.AllowUndeclaredFields = false;
            });
        });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("put", """{"points":1}""", "title")]
    [InlineData("put", """{"title":"far too long a title"}""", "title")]
    [InlineData("put", """{"title":7}""", "title")]
    [InlineData("put", """{"title":"ok","points":1.5}""", "points")]
    [InlineData("put", """{"title":"ok","points":"3"}""", "points")]
    [InlineData("put", """{"title":"ok","tags":["a","b","c"]}""", "tags")]
    [InlineData("put", """{"title":"ok","colour":"red"}""", "colour")]
    [InlineData("patch", """{"title":null}""", "title")]
    public async Task A_change_that_breaks_the_schema_is_rejected_with_the_field_named_and_the_rest_applies(string kind, string fields, string field)
    {
        string good = Change("good-" + Guid.NewGuid().ToString("N"), "put", """{"title":"fine","points":3,"tags":["x"]}""");
        string bad = Change("bad-" + Guid.NewGuid().ToString("N"), kind, fields);

        (HttpStatusCode status, JsonElement body) = await SyncApi.PostAsync(_server.Http, "push", $$"""{"clientId":"c","changes":[{{good}},{{bad}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        JsonElement[] results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("applied", results[0].GetProperty("status").GetString());
        Assert.Equal("rejected", results[1].GetProperty("status").GetString());
        Assert.Equal("SYNC:INVALID_CHANGE", results[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(field, results[1].GetProperty("error").GetProperty("meta").GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_patch_of_declared_fields_and_a_collection_not_declared()
    {
        (_, JsonElement body) = await SyncApi.PostAsync(_server.Http, "push", $$"""{"clientId":"c","changes":[{{Change("p1", "patch", """{"points":5}""")}},{{Change("p2", "put", """{"title":"x"}""", "elsewhere")}}]}""");

        JsonElement[] results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("applied", results[0].GetProperty("status").GetString());
        Assert.Equal("rejected", results[1].GetProperty("status").GetString());
        Assert.Equal("collection", results[1].GetProperty("error").GetProperty("meta").GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_schema_is_published_in_sync_json()
    {
        using JsonDocument description = JsonDocument.Parse(await _server.Http.GetStringAsync("api/sync/sync.json"));
        JsonElement tasks = description.RootElement.GetProperty("collections")[0];

        Assert.Equal("string", tasks.GetProperty("schema").GetProperty("title").GetProperty("type").GetString());
        Assert.True(tasks.GetProperty("schema").GetProperty("title").GetProperty("required").GetBoolean());
        Assert.Equal(10, tasks.GetProperty("schema").GetProperty("title").GetProperty("maxLength").GetInt32());
        Assert.Equal("integer", tasks.GetProperty("schema").GetProperty("points").GetProperty("type").GetString());
        Assert.False(tasks.GetProperty("allowUndeclaredFields").GetBoolean());
        Assert.False(description.RootElement.GetProperty("allowUndeclaredCollections").GetBoolean());
    }

    private static string Change(string id, string kind, string fields, string collection = "tasks") =>
        $$"""{"opId":"{{Guid.CreateVersion7()}}","collection":"{{collection}}","id":"{{id}}","kind":"{{kind}}","fields":{{fields}},"hlc":"{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000:x12}}0000-c"}""";
}
