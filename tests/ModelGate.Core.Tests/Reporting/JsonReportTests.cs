using System.Text.Json.Nodes;
using ModelGate.Core.Reporting;

namespace ModelGate.Core.Tests.Reporting;

public class JsonReportTests
{
    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Report_matches_its_golden_file(string name, ScanResult result) =>
        Golden.AssertMatches(JsonReport.Render(result), $"{name}.json");

    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Report_round_trips_through_parse(string name, ScanResult result)
    {
        var json = JsonReport.Render(result);
        var back = JsonReport.Parse(json, $"{name}.json");
        Assert.That(JsonReport.Render(back), Is.EqualTo(json));
        Assert.That(back.Verdict, Is.EqualTo(result.Verdict));
        Assert.That(back.Findings.Select(f => f.Fingerprint), Is.EqualTo(result.Findings.Select(f => f.Fingerprint)));
    }

    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Report_validates_against_the_published_schema(string name, ScanResult result)
    {
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("scan-result.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, JsonReport.Render(result)), Is.Empty);
    }

    [Test]
    public void Schema_rejects_a_report_with_an_unknown_verdict()
    {
        var node = JsonNode.Parse(JsonReport.Render(ScanFixtures.Pass))!;
        node["verdict"] = "ok";
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("scan-result.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, node.ToJsonString()), Is.Not.Empty);
    }

    [Test]
    public void Verdict_and_enums_are_lowercase_and_names_camel_case()
    {
        var node = JsonNode.Parse(JsonReport.Render(ScanFixtures.Error))!;
        Assert.That(node["verdict"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(node["schemaVersion"]!.GetValue<string>(), Is.EqualTo(ScanResult.CurrentSchemaVersion));
        Assert.That(node["detectors"]![1]!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(node["settings"]!["seed"]!.GetValue<int>(), Is.EqualTo(1234));
        Assert.That(node["model"]!["files"]![0]!["sha256"]!.GetValue<string>(), Has.Length.EqualTo(64));
    }

    [Test]
    public void Parse_rejects_garbage_with_a_one_line_error_naming_the_file()
    {
        var ex = Assert.Throws<ModelGateException>(() => JsonReport.Parse("{\"verdict\": 3", "out/result.json"));
        Assert.That(ex!.Kind, Is.EqualTo(ErrorKind.Output));
        Assert.That(ex.Message, Does.StartWith("out/result.json: not a ModelGate scan result"));
        Assert.That(ex.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Parse_rejects_a_future_major_schema_version()
    {
        var node = JsonNode.Parse(JsonReport.Render(ScanFixtures.Pass))!;
        node["schemaVersion"] = "2.0";
        var ex = Assert.Throws<ModelGateException>(() => JsonReport.Parse(node.ToJsonString(), "r.json"));
        Assert.That(ex!.Message, Does.Contain("schemaVersion 2.0"));
    }
}

public class JsonReportOptionalFieldTests
{
    [Test]
    public void Optional_fields_round_trip_and_validate_against_the_schema()
    {
        var fail = ScanFixtures.Fail;
        var result = fail with
        {
            Reference = new ModelRef { Path = "models/base-15m" },
            Settings = fail.Settings with { PolicyPath = "modelgate.json" },
            Findings = [fail.Findings[0] with { Suppressed = new Suppression("canary", new DateOnly(2027, 1, 31), "modelgate.json") }],
            Errors = [new ScanError(null, "no model here") { RuleId = Rules.NothingScannable.Id }],
            Detectors = [fail.Detectors[0] with { Evidence = new Dictionary<string, string> { ["pickleFiles"] = "0" } }],
        };
        var json = JsonReport.Render(result);
        Assert.That(json, Does.Contain("\"expires\": \"2027-01-31\"").And.Contain("\"ruleId\": \"MG2004\""));
        var back = JsonReport.Parse(json);
        Assert.That(JsonReport.Render(back), Is.EqualTo(json));
        Assert.That(back.Findings[0].Suppressed, Is.EqualTo(result.Findings[0].Suppressed));
        Assert.That(back.Errors[0].EffectiveRuleId(), Is.EqualTo(Rules.NothingScannable.Id));
        var schema = SchemaValidator.Load(SchemaValidator.SchemaPath("scan-result.schema.json"));
        Assert.That(SchemaValidator.Errors(schema, json), Is.Empty);
    }

    [Test]
    public void Golden_comparison_fails_on_a_difference()
    {
        if (Environment.GetEnvironmentVariable("MODELGATE_UPDATE_GOLDEN") == "1")
            Assert.Ignore("golden files are being regenerated");
        Assert.Throws<AssertionException>(() => Golden.AssertMatches(JsonReport.Render(ScanFixtures.Pass) + " ", "pass.json"));
        Assert.Throws<AssertionException>(() => Golden.AssertMatches("x", "does-not-exist.json"));
        Assert.That(File.Exists(Golden.PathOf("does-not-exist.json")), Is.False);
    }
}
