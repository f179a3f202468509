namespace Concord.Testing.Chaos;

/// <summary>A chaos run's check failed; the message names the profile and the seed that replays it.</summary>
public sealed class ChaosFailedException(string message, Exception inner) : Exception(message, inner);
