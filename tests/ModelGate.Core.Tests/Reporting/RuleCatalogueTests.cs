using ModelGate.Core.Reporting;
using ModelGate.Tests.Shared;

namespace ModelGate.Core.Tests.Reporting;

public class RuleCatalogueTests
{
    [Test]
    public void Rule_ids_are_unique_and_follow_the_numbering_scheme()
    {
        Assert.That(Rules.All.Select(r => r.Id), Is.Unique);
        foreach (var rule in Rules.All)
            Assert.That(rule.Id, Does.Match(@"^MG[012]\d{3}$"), rule.Name);
    }

    [Test]
    public void Every_rule_is_documented_with_an_anchor_its_help_link_points_to()
    {
        var doc = File.ReadAllText(Path.Combine(SharedFixtures.RepoRoot, "docs", "rules.md"));
        foreach (var rule in Rules.All)
        {
            var anchor = rule.Id.ToLowerInvariant();
            Assert.That(doc, Does.Contain($"<a id=\"{anchor}\"></a>{rule.Id} | {rule.Name} |"), rule.Id);
            Assert.That(rule.HelpUri, Does.EndWith("#" + anchor));
        }
    }
}
