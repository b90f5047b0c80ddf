using System.Text.Json.Nodes;
using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Reporting;

public class SarifReportTests
{
    private static Json.Schema.JsonSchema SarifSchema() =>
        SchemaValidator.Load(SharedFixtures.RequireShared("contracts", "sarif-schema-2.1.0.json"), draft04: true);

    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Log_matches_its_golden_file(string name, ScanResult result) =>
        Golden.AssertMatches(SarifReport.Render(result), $"{name}.sarif");

    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Log_validates_against_the_official_schema(string name, ScanResult result) =>
        Assert.That(SchemaValidator.Errors(SarifSchema(), SarifReport.Render(result), draft07: true), Is.Empty);

    [Test]
    public void Schema_check_is_real_an_invalid_level_is_rejected()
    {
        var log = JsonNode.Parse(SarifReport.Render(ScanFixtures.Fail))!;
        log["runs"]![0]!["results"]![0]!["level"] = "critical";
        Assert.That(SchemaValidator.Errors(SarifSchema(), log.ToJsonString(), draft07: true), Is.Not.Empty);
    }

    [Test]
    public void Results_use_catalogue_rule_ids_and_carry_our_fingerprints()
    {
        var run = JsonNode.Parse(SarifReport.Render(ScanFixtures.Fail))!["runs"]![0]!;
        var rules = run["tool"]!["driver"]!["rules"]!.AsArray();
        Assert.That(rules.Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(Rules.All.Select(r => r.Id)));
        var results = run["results"]!.AsArray();
        Assert.That(results.Select(r => r!["ruleId"]!.GetValue<string>()), Is.EqualTo(new[] { "MG1001", "MG1002" }));
        foreach (var r in results)
        {
            var index = r!["ruleIndex"]!.GetValue<int>();
            Assert.That(rules[index]!["id"]!.GetValue<string>(), Is.EqualTo(r["ruleId"]!.GetValue<string>()));
            Assert.That(r["partialFingerprints"]!["primaryLocationLineHash"]!.GetValue<string>(), Does.Match("^[0-9a-f]{16}:1$"));
        }
        Assert.That(results[0]!["partialFingerprints"]!["modelgateFingerprint/v1"]!.GetValue<string>(), Is.EqualTo("mg1001-5d41402abc4b2a76"));
    }

    [Test]
    public void Fingerprints_are_stable_across_runs_and_differ_between_findings()
    {
        var a = JsonNode.Parse(SarifReport.Render(ScanFixtures.Fail))!["runs"]![0]!["results"]!.AsArray();
        var b = JsonNode.Parse(SarifReport.Render(ScanFixtures.Fail with { DurationSeconds = 99 }))!["runs"]![0]!["results"]!.AsArray();
        var hashes = a.Select(r => r!["partialFingerprints"]!["primaryLocationLineHash"]!.GetValue<string>()).ToList();
        Assert.That(b.Select(r => r!["partialFingerprints"]!["primaryLocationLineHash"]!.GetValue<string>()), Is.EqualTo(hashes));
        Assert.That(hashes, Is.Unique);
    }

    [TestCaseSource(typeof(ScanFixtures), nameof(ScanFixtures.All))]
    public void Primary_location_is_a_text_line_never_a_weights_file(string name, ScanResult result)
    {
        var results = JsonNode.Parse(SarifReport.Render(result))!["runs"]![0]!["results"]!.AsArray();
        foreach (var r in results)
        {
            var physical = r!["locations"]![0]!["physicalLocation"]!;
            var uri = physical["artifactLocation"]!["uri"]!.GetValue<string>();
            Assert.That(uri, Does.EndWith(".json"), name);
            Assert.That(physical["region"]!["startLine"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
        }
    }

    [Test]
    public void Without_a_declaring_line_the_location_is_config_json_line_one()
    {
        var r = JsonNode.Parse(SarifReport.Render(ScanFixtures.Error))!["runs"]![0]!["results"]![0]!;
        Assert.That(r["ruleId"]!.GetValue<string>(), Is.EqualTo(Rules.DetectorFailed.Id));
        Assert.That(r["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>(), Is.EqualTo("models/broken-15m/config.json"));
        Assert.That(r["relatedLocations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"]!.GetValue<string>(), Is.EqualTo("models/broken-15m/model.safetensors"));
    }

    [Test]
    public void Suppressed_findings_stay_in_the_log_marked_as_suppressed()
    {
        var fail = ScanFixtures.Fail;
        var suppressed = fail with { Findings = [fail.Findings[1] with { Suppressed = new Suppression("known canary", new DateOnly(2027, 1, 31), "modelgate.json") }] };
        var log = SarifReport.Render(suppressed);
        var r = JsonNode.Parse(log)!["runs"]![0]!["results"]![0]!;
        Assert.That(r["suppressions"]![0]!["justification"]!.GetValue<string>(), Is.EqualTo("known canary"));
        Assert.That(SchemaValidator.Errors(SarifSchema(), log, draft07: true), Is.Empty);
    }
}
