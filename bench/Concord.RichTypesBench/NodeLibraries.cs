using Concord.Bench;
using System.Text.Json;

namespace Concord.RichTypesBench;

/// <summary>
/// Yjs and Automerge from npm, installed into a scratch folder and run with node on the same trace, each
/// through its ES module entry (see <c>node/crdt-bench.mjs</c>).
/// </summary>
internal static class NodeLibraries
{
    public static IReadOnlyList<JsonElement> Run(string tracePath, int runs, bool automerge)
    {
        string scratch = Path.Combine(Path.GetTempPath(), "concord-bench-npm");
        Directory.CreateDirectory(scratch);
        string[] packages = automerge ? ["yjs@13", "@automerge/automerge"] : ["yjs@13"];
        ProcessRunner.Run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", scratch, .. packages]);

        // ES modules resolve packages from the importing file's folder up, never through NODE_PATH: the
        // script runs beside the node_modules it imports from.
        string script = Path.Combine(scratch, "crdt-bench.mjs");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "node", "crdt-bench.mjs"), script, overwrite: true);
        string output = ProcessRunner.Run("node", ["--expose-gc", script, tracePath, runs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();
    }
}
