using System.Text.Json;
using System.Text.Json.Serialization;

namespace Concord.Protocol.Json;

/// <summary>
/// Source-generated serializers for every protocol message. Strict on purpose: unknown members,
/// missing required members, nulls where none are allowed and numbers in strings all fail, so that
/// a client's mistake is reported instead of silently half-applied.
/// </summary>
/// <remarks>
/// The messages on the push and pull paths have settable properties marked <see cref="JsonRequiredAttribute"/>
/// rather than <c>required</c> <c>init</c> ones: the generator reads those through its parameterized-constructor
/// converter, which caches every member before building the object and decoded a 1,000-record pull page
/// about 40 % slower (dotnet/runtime#97612).
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    Converters = [typeof(RawJsonValueConverter)])]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(PullRequest))]
[JsonSerializable(typeof(PullResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ServerDescription))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(Realtime.HelloMessage))]
[JsonSerializable(typeof(Realtime.WelcomeMessage))]
[JsonSerializable(typeof(Realtime.ChangesMessage))]
[JsonSerializable(typeof(Realtime.PokeMessage))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, CrdtStateMessage>))]
[JsonSerializable(typeof(Dictionary<string, CrdtOperationMessage>))]
internal sealed partial class ConcordJsonContext : JsonSerializerContext;
