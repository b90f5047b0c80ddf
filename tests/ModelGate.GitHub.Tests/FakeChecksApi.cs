using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using ModelGate.Tests.Shared;

namespace ModelGate.GitHub.Tests;

/// <summary>
/// A loopback stand-in for GitHub's checks API. Every request body is validated against the contract schema
/// (../shared/contracts/github-check-runs.schema.json); tests can queue error replies (403, 422, 429, 5xx).
/// </summary>
internal sealed partial class FakeChecksApi : IDisposable
{
    public sealed record Request(string Method, string Path, string? Authorization, JsonNode? Body, IReadOnlyList<string> SchemaErrors);
    public sealed record Reply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

    private readonly HttpListener _listener = new();
    private readonly JsonSchema _create;
    private readonly JsonSchema _update;
    private readonly Queue<Reply> _scripted = new();
    private readonly List<Request> _requests = [];
    private readonly Task _loop;
    private long _nextId = 1000;

    public string BaseUrl { get; }

    public FakeChecksApi()
    {
        var schemaPath = SharedFixtures.RequireShared("contracts", "github-check-runs.schema.json");
        var defs = JsonNode.Parse(File.ReadAllText(schemaPath))!["$defs"]!;
        _create = JsonSchema.FromText(defs["checks-create"]!.ToJsonString());
        _update = JsonSchema.FromText(defs["checks-update"]!.ToJsonString());

        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public IReadOnlyList<Request> Requests { get { lock (_requests) return _requests.ToList(); } }

    public void Enqueue(Reply reply) { lock (_scripted) _scripted.Enqueue(reply); }

    public static Reply Forbidden() => new(403, """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/checks/runs#create-a-check-run","status":"403"}""");
    public static Reply TooMany(int retryAfterSeconds) => new(429, """{"message":"Too Many Requests"}""", new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    public static Reply Unprocessable() => new(422, """{"message":"Validation Failed","errors":[{"resource":"CheckRun","code":"invalid"}]}""");

    [GeneratedRegex(@"/repos/[^/]+/[^/]+/check-runs(/(?<id>\d+))?$")]
    private static partial Regex CheckRunsPath();

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try { Handle(ctx); }
            catch (Exception e)
            {
                Write(ctx.Response, new Reply(500, JsonSerializerSafe(e.Message)));
            }
        }
    }

    private static string JsonSerializerSafe(string message) => new JsonObject { ["message"] = message }.ToJsonString();

    private void Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        string text;
        using (var reader = new StreamReader(req.InputStream, Encoding.UTF8)) text = reader.ReadToEnd();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        var path = req.Url!.AbsolutePath;
        var match = CheckRunsPath().Match(path);
        var errors = new List<string>();
        JsonSchema? schema = !match.Success ? null
            : req.HttpMethod == "POST" && !match.Groups["id"].Success ? _create
            : req.HttpMethod == "PATCH" && match.Groups["id"].Success ? _update : null;
        if (schema is null) errors.Add($"unexpected {req.HttpMethod} {path}");
        else
        {
            var result = schema.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            if (!result.IsValid)
                errors.AddRange((result.Details ?? []).Where(d => d.Errors is not null)
                    .SelectMany(d => d.Errors!.Select(kv => $"{d.InstanceLocation}: {kv.Key}: {kv.Value}")));
            if (!result.IsValid && errors.Count == 0) errors.Add("schema validation failed");
        }
        lock (_requests) _requests.Add(new Request(req.HttpMethod, path, req.Headers["Authorization"], body, errors));

        Reply? scripted;
        lock (_scripted) _scripted.TryDequeue(out scripted);
        if (scripted is not null) { Write(ctx.Response, scripted); return; }
        if (errors.Count > 0) { Write(ctx.Response, Unprocessable()); return; }

        var id = match.Groups["id"].Success ? long.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture) : Interlocked.Increment(ref _nextId);
        var response = new JsonObject
        {
            ["id"] = id,
            ["head_sha"] = body?["head_sha"]?.GetValue<string>() ?? "0000000000000000000000000000000000000000",
            ["status"] = "completed",
            ["conclusion"] = body?["conclusion"]?.GetValue<string>(),
            ["name"] = body?["name"]?.GetValue<string>() ?? "ModelGate",
            ["output"] = new JsonObject { ["annotations_count"] = body?["output"]?["annotations"]?.AsArray().Count ?? 0 },
        };
        Write(ctx.Response, new Reply(req.HttpMethod == "POST" ? 201 : 200, response.ToJsonString()));
    }

    private static void Write(HttpListenerResponse response, Reply reply)
    {
        response.StatusCode = reply.Status;
        response.ContentType = "application/json; charset=utf-8";
        foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) response.Headers[k] = v;
        var bytes = Encoding.UTF8.GetBytes(reply.Body);
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
        response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
