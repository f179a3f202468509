using Concord.Clock;

namespace Concord.Records;

/// <summary>A field's value, the clock reading of the write that set it, and the record version it was set at.</summary>
/// <param name="Value">The field's JSON value.</param>
/// <param name="Hlc">The reading of the write that set it.</param>
/// <param name="Version">The record version at which it was set; 0 until a store assigns one.</param>
public readonly record struct FieldState(RawJsonValue Value, HlcTimestamp Hlc, long Version = 0);
