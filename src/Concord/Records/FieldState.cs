using Concord.Clock;

namespace Concord.Records;

/// <summary>A field's value and the clock reading of the write that set it.</summary>
/// <param name="Value">The field's JSON value.</param>
/// <param name="Hlc">The reading of the write that set it.</param>
public readonly record struct FieldState(RawJsonValue Value, HlcTimestamp Hlc);
