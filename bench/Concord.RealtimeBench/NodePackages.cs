using Concord.Bench;
using System.Text.Json;

namespace Concord.RealtimeBench;

/// <summary>
/// The Yjs side from npm, installed into a scratch folder: the y-websocket server, Yjs, ws (with bufferutil, which
/// ws documents as its faster masking), and y-websocket's client provider. The scripts under <c>node/</c> are copied
/// beside <c>node_modules</c> because ES modules resolve packages from where the importing file lies, not NODE_PATH.
/// </summary>
internal sealed class NodePackages
{
    private static readonly string[] Packages = ["@y/websocket-server@0.1.1", "yjs@13", "ws@8", "bufferutil@4", "y-websocket@3", "lib0@0.2"];

    private NodePackages(string folder) => Folder = folder;

    public string Folder { get; }

    public static NodePackages Install()
    {
        string folder = Path.Combine(Path.GetTempPath(), "concord-realtime-bench-npm");
        Directory.CreateDirectory(folder);
        ProcessRunner.Run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", folder, .. Packages], folder);
        foreach (string script in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "node"), "*.mjs"))
        {
            File.Copy(script, Path.Combine(folder, Path.GetFileName(script)), overwrite: true);
        }

        return new NodePackages(folder);
    }

    public string Script(string name) => Path.Combine(Folder, name);

    /// <summary>The installed version of a package, as its package.json says.</summary>
    public string VersionOf(string package)
    {
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "node_modules", package, "package.json")));
        return manifest.RootElement.GetProperty("version").GetString()!;
    }

    /// <summary>The version of node that runs the scripts.</summary>
    public string NodeVersion() => ProcessRunner.Run("node", ["--version"], Folder).Trim();

    /// <summary>Runs a script of this folder with node and returns what it printed.</summary>
    public string RunScript(string name, params string[] arguments) => ProcessRunner.Run("node", [Script(name), .. arguments], Folder);
}
