using ModelGate.Core;

namespace ModelGate.Cli.Tests;

public class CliBasicsTests
{
    [Test]
    public void Version_prints_the_product_version()
    {
        var (exit, output, _) = CliHarness.Run("--version");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass));
        Assert.That(output.Trim(), Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [Test]
    public void Help_lists_commands_and_exit_codes()
    {
        var (exit, output, _) = CliHarness.Run("--help");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass));
        Assert.That(output, Does.Contain("doctor"));
        Assert.That(output, Does.Contain("4 usage error"));
    }

    [Test]
    public void Unknown_option_is_a_usage_error_with_exit_4()
    {
        var (exit, _, error) = CliHarness.Run("--no-such-option");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--no-such-option"));
    }

    [Test]
    public void Every_command_has_help()
    {
        var root = CliApp.BuildRoot(TextWriter.Null, TextWriter.Null);
        foreach (var command in root.Subcommands)
        {
            var (exit, output, _) = CliHarness.Run(command.Name, "--help");
            Assert.That(exit, Is.EqualTo(ExitCodes.Pass), command.Name);
            Assert.That(output, Does.Contain(command.Description!), command.Name);
        }
    }

    [Test]
    public void Doctor_checks_the_engine()
    {
        var (exit, output, _) = CliHarness.Run("doctor", "--device", "cpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Pass), output);
        Assert.That(output, Does.Contain("[[7,10],[15,22]]"));
    }

    [Test]
    public void Doctor_rejects_an_unknown_device_with_exit_4()
    {
        var (exit, _, error) = CliHarness.Run("doctor", "--device", "tpu");
        Assert.That(exit, Is.EqualTo(ExitCodes.Usage));
        Assert.That(error, Does.Contain("--device tpu"));
    }
}
