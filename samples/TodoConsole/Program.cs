using Concord.Client;
using Concord.Client.Collections;
using TodoConsole;

// A to-do list that works offline. Each --db is one device; `sync` exchanges with the server.
//   dotnet run --project samples/TodoConsole -- --db alice.db add "Buy milk"
//   dotnet run --project samples/TodoConsole -- --db alice.db sync
if (args.Length < 3 || args[0] != "--db")
{
    Console.Error.WriteLine("usage: TodoConsole --db FILE [--server URL] (add TITLE | done ID | rename ID TITLE | rm ID | list | sync)");
    return 2;
}

string db = args[1];
int next = 2;
Uri server = new("http://127.0.0.1:5000/api/sync");
if (args[next] == "--server")
{
    server = new Uri(args[next + 1]);
    next += 2;
}

string[] command = args[next..];
await using ConcordClient client = await ConcordClient.OpenAsync(new ConcordClientOptions { DatabasePath = db, ServerUrl = server });
client.ChangeRejected += (_, e) => Console.Error.WriteLine($"server refused {e.Kind} of {e.Id}: {e.Error.Message}");
ConcordCollection<Todo> todos = client.Collection<Todo>("todos");

switch (command)
{
    case ["add", var title]:
        string id = Guid.CreateVersion7().ToString();
        await todos.PutAsync(id, new Todo(title));
        Console.WriteLine(id);
        break;
    case ["done", var doneId]:
        await todos.PatchAsync(doneId, new { done = true });
        break;
    case ["rename", var renameId, var newTitle]:
        await todos.PatchAsync(renameId, new { title = newTitle });
        break;
    case ["rm", var removeId]:
        await todos.DeleteAsync(removeId);
        break;
    case ["list"]:
        foreach ((string key, Todo todo) in await todos.Query().OrderBy("title").ToEntriesAsync())
        {
            Console.WriteLine($"{(todo.Done ? "[x]" : "[ ]")} {todo.Title}  ({key})");
        }

        Console.WriteLine($"{client.QueueStats.Count} change(s) waiting to sync");
        break;
    case ["sync"]:
        await client.SyncAsync();
        Console.WriteLine($"synced; {client.QueueStats.Count} change(s) waiting");
        break;
    default:
        Console.Error.WriteLine($"unknown command: {string.Join(' ', command)}");
        return 2;
}

return 0;
