using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGate.Core.Policy;
using ModelGate.Core.Reporting;
using ModelGate.Core.Tests.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Policy;

public class GatePolicyLoaderTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);
    private static string SamplePath => Path.Combine(SharedFixtures.RepoRoot, "samples", "modelgate.json");

    [Test]
    public void The_sample_loads_with_its_settings()
    {
        var loaded = GatePolicyLoader.Load(SamplePath, Today);
        var p = loaded.Policy;
        Assert.That(loaded.Warnings, Is.Empty);
        Assert.That(p.For("self-report").Enabled, Is.False);
        Assert.That(p.For("weight-delta").AllowSkip, Is.True);
        Assert.That(p.For("unlisted").Enabled, Is.True);
        Assert.That(p.Budget.ForwardPasses, Is.EqualTo(200_000));
        Assert.That(p.FailOn, Is.EqualTo(FindingLevel.Error));
        Assert.That(p.Suppressions.Single().Expires, Is.EqualTo(new DateOnly(2027, 6, 30)));
        Assert.That(p.Seed, Is.EqualTo(1234));
    }

    [Test]
    public void The_sample_validates_against_the_schema_and_comments_every_setting()
    {
        var text = File.ReadAllText(SamplePath);
        var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("modelgate-policy.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, node.ToJsonString()), Is.Empty);

        // Every top-level key of the schema appears in the sample, each preceded by a comment line.
        var lines = text.Split('\n');
        var keys = JsonNode.Parse(File.ReadAllText(SchemaValidator.SchemaPath("modelgate-policy.schema.json")))!["properties"]!.AsObject().Select(k => k.Key);
        foreach (var key in keys)
        {
            var at = Array.FindIndex(lines, l => l.TrimStart().StartsWith($"\"{key}\":", StringComparison.Ordinal));
            Assert.That(at, Is.GreaterThan(0), $"sample lacks \"{key}\"");
            Assert.That(lines[at - 1].TrimStart(), Does.StartWith("//"), $"\"{key}\" has no comment above it");
        }
    }

    [Test]
    public void Schema_and_loader_agree_on_a_typo()
    {
        const string text = "{\n  \"failOn\": \"error\",\n  \"failOnWarning\": true\n}";
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("modelgate-policy.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, text), Is.Not.Empty);
        var ex = Assert.Throws<ModelGateException>(() => GatePolicyLoader.Parse(text, "modelgate.json", Today));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Policy));
        Assert.That(ex.Message, Does.StartWith("modelgate.json: unknown key \"failOnWarning\" at line 3"));
    }

    [Test]
    public void Unknown_nested_key_is_named_with_its_line()
    {
        const string text = "{\n  // c\n  \"detectors\": {\n    \"trigger-sweep\": { \"enable\": false }\n  }\n}";
        var ex = Assert.Throws<ModelGateException>(() => GatePolicyLoader.Parse(text, "p.json", Today));
        Assert.That(ex!.Message, Does.Contain("unknown key \"enable\" at line 4"));
    }

    [Test]
    public void Empty_object_gives_the_defaults_and_comments_and_trailing_commas_are_fine()
    {
        var p = GatePolicyLoader.Parse("// nothing\n{ \"failOnWarn\": true, }", "p.json", Today).Policy;
        Assert.That(p.FailOnWarn, Is.True);
        Assert.That(p.FailOn, Is.EqualTo(FindingLevel.Error));
        Assert.That(p.WarnOn, Is.EqualTo(FindingLevel.Warning));
    }

    [TestCase("{ \"failOn\": \"critical\" }", "invalid policy")]
    [TestCase("{ \"failOn\": \"note\", \"warnOn\": \"error\" }", "warnOn (error) is above failOn (note)")]
    [TestCase("{ \"budget\": { \"seconds\": 0 } }", "budget.seconds must be positive")]
    [TestCase("{ \"suppressions\": [ { \"reason\": \"x\" } ] }", "needs a rule, fingerprint or trigger")]
    [TestCase("{ \"suppressions\": [ { \"rule\": \"MG1001\" } ] }", "missing required key(s) 'reason'")]
    [TestCase("{ \"suppressions\": [ { \"rule\": \"MG1001\", \"reason\": \" \" } ] }", "needs a reason")]
    [TestCase("{ \"suppressions\": [ { \"rule\": \"MG9999\", \"reason\": \"x\" } ] }", "not a ModelGate rule id")]
    [TestCase("{ \"suppressions\": [ { \"rule\": \"MG2002\", \"reason\": \"x\" } ] }", "errors cannot be suppressed")]
    [TestCase("{ \"seed\": \"12\" }", "invalid policy")]
    [TestCase("[1]", "invalid policy")]
    [TestCase("{ \"failOn\": ", "invalid policy")]
    public void Malformed_policies_fail_with_one_line_naming_the_file(string text, string expected)
    {
        var ex = Assert.Throws<ModelGateException>(() => GatePolicyLoader.Parse(text, "dir/modelgate.json", Today));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Policy));
        Assert.That(ex.Message, Does.StartWith("dir/modelgate.json: "));
        Assert.That(ex.Message, Does.Contain(expected));
        Assert.That(ex.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Expired_suppressions_are_reported()
    {
        const string text = """{ "suppressions": [ { "rule": "MG1002", "reason": "old", "expires": "2026-01-31" }, { "rule": "MG1001", "reason": "new", "expires": "2027-01-31" } ] }""";
        var loaded = GatePolicyLoader.Parse(text, "modelgate.json", Today);
        Assert.That(loaded.Warnings, Has.Count.EqualTo(1));
        Assert.That(loaded.Warnings[0], Does.Contain("rule MG1002").And.Contain("expired on 2026-01-31"));
    }

    [Test]
    public void Missing_file_is_a_policy_error_and_no_file_means_defaults()
    {
        var dir = SharedFixtures.TempDir("mg-policy");
        try
        {
            var ex = Assert.Throws<ModelGateException>(() => GatePolicyLoader.Load(Path.Combine(dir, "nope.json")));
            Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Policy));
            Assert.That(GatePolicyLoader.LoadOrDefault(null, dir).Path, Is.Null);
            File.WriteAllText(Path.Combine(dir, "modelgate.json"), "{ \"benignPrompts\": \"prompts/benign.txt\" }");
            var loaded = GatePolicyLoader.LoadOrDefault(null, dir);
            Assert.That(loaded.Resolve(loaded.Policy.BenignPrompts), Is.EqualTo(Path.Combine(dir, "prompts", "benign.txt")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
