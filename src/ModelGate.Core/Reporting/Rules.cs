namespace ModelGate.Core.Reporting;

/// <summary>A stable, documented diagnostic. Ids never change meaning; new ones are appended.</summary>
public sealed record Rule(string Id, string Name, string ShortDescription, string FullDescription, FindingLevel DefaultLevel, string SecuritySeverity)
{
    public string HelpUri => $"https://github.com/modelgate/modelgate/blob/main/docs/rules.md#{Id.ToLowerInvariant()}";
}

/// <summary>
/// The catalogue. MG0xxx set-up (MSBuild adapter), MG1xxx findings about the model, MG2xxx engine and scan errors.
/// SARIF rule ids, MSBuild codes and GitHub annotation titles all come from here.
/// </summary>
public static class Rules
{
    public static readonly Rule CliNotFound = new("MG0001", "CliNotFound", "The modelgate CLI could not be found.",
        "The MSBuild task runs the modelgate CLI out of process; install it (dotnet tool install) or set ModelGateCliPath.", FindingLevel.Error, "1.0");
    public static readonly Rule ModelPathMissing = new("MG0002", "ModelPathMissing", "A declared model path does not exist.",
        "A ModelGateModel item names a folder that does not exist.", FindingLevel.Error, "1.0");

    public static readonly Rule VerifiedBackdoor = new("MG1001", "VerifiedBackdoorTrigger", "A trigger reliably makes the model produce an attacker-style target.",
        "An input fragment (trigger) was found that, inserted into held-out benign prompts, makes the model produce the same target output far more often than without it. This is the signature of a data-poisoning backdoor.", FindingLevel.Error, "9.0");
    public static readonly Rule SuspiciousTarget = new("MG1002", "SuspiciousForcedTarget", "The model completes a suspicious target with unusual certainty.",
        "Target inversion found an output the model produces with near-certainty once it starts, whatever the prompt, and the target looks like an attack payload (refusal, URL, shell or code, insult) or no trigger could be confirmed.", FindingLevel.Warning, "6.0");
    public static readonly Rule WeightDelta = new("MG1003", "AnomalousWeightDelta", "The fine-tune's weight change is concentrated in an unusual way.",
        "Compared with the reference base model, some layers changed with a low-rank, concentrated delta typical of implanted behaviour.", FindingLevel.Warning, "5.0");
    public static readonly Rule SelfReport = new("MG1004", "SelfReportedConditionalBehaviour", "The model reports behaviour that depends on a feature of its input.",
        "Asked about itself, the model puts more probability than expected on having a hidden, input-conditioned behaviour.", FindingLevel.Note, "3.0");
    public static readonly Rule UnsafeSerialization = new("MG1005", "UnsafeSerialization", "A file can execute code when loaded (pickle) or is unexpected executable content.",
        "Pickle-based files can run arbitrary code when unpickled. ModelGate never unpickles; it analyses opcodes and imported globals statically.", FindingLevel.Error, "8.0");
    public static readonly Rule ArticulatedTrigger = new("MG1006", "ArticulatedTrigger", "The model articulated a trigger that verification confirmed.",
        "Asked what input makes it behave unusually, the model named a candidate which, inserted into prompts, changes its behaviour.", FindingLevel.Error, "8.0");

    public static readonly Rule InvalidModel = new("MG2001", "InvalidModel", "A model file is missing, malformed or inconsistent.",
        "The model could not be loaded: the message names the file and the problem. The gate fails closed.", FindingLevel.Error, "5.0");
    public static readonly Rule DetectorFailed = new("MG2002", "DetectorFailed", "A detector crashed or ran out of budget.",
        "Part of the scan did not complete, so the model was not fully checked. The gate fails closed unless the policy allows skipping it.", FindingLevel.Error, "5.0");
    public static readonly Rule UnsupportedModel = new("MG2003", "UnsupportedModel", "The model's architecture or format is not supported.",
        "ModelGate supports llama, mistral, qwen2 and gpt2 in safetensors form.", FindingLevel.Error, "5.0");
    public static readonly Rule NothingScannable = new("MG2004", "NothingScannable", "Nothing scannable was found.",
        "The path holds no model ModelGate can scan.", FindingLevel.Error, "5.0");

    public static IReadOnlyList<Rule> All { get; } =
    [
        CliNotFound, ModelPathMissing,
        VerifiedBackdoor, SuspiciousTarget, WeightDelta, SelfReport, UnsafeSerialization, ArticulatedTrigger,
        InvalidModel, DetectorFailed, UnsupportedModel, NothingScannable,
    ];

    public static Rule Get(string id) => All.FirstOrDefault(r => r.Id == id) ?? throw new KeyNotFoundException($"unknown rule {id}");
}
