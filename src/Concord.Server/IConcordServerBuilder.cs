using Microsoft.Extensions.DependencyInjection;

namespace Concord.Server;

/// <summary>Returned by <c>AddConcord</c>; store packages add their <c>AddXStore</c> methods to it.</summary>
public interface IConcordServerBuilder
{
    /// <summary>The app's services.</summary>
    IServiceCollection Services { get; }
}
