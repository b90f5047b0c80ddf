using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelGate.MSBuild;

/// <summary>
/// Expands each ModelGateModel item into one item per input file (model files, policy, declaring project) carrying
/// the model's stamp path, so the scan target can batch on the stamp and MSBuild's Inputs/Outputs check skips
/// unchanged models. A missing model folder still yields its project-file item so the scan task can report MG0002.
/// </summary>
public sealed class ResolveModelGateInputs : Microsoft.Build.Utilities.Task
{
    [Required] public ITaskItem[] Models { get; set; } = [];
    [Required] public string StampDirectory { get; set; } = "";
    [Required] public string ProjectFile { get; set; } = "";
    [Output] public ITaskItem[] Inputs { get; private set; } = [];

    public override bool Execute()
    {
        var result = new List<ITaskItem>();
        foreach (var model in Models)
        {
            var modelPath = model.GetMetadata("FullPath");
            var declaring = model.GetMetadata("DefiningProjectFullPath");
            if (string.IsNullOrEmpty(declaring)) declaring = ProjectFile;
            // Name the stamp after the model's full path so two items never share one.
            var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(modelPath)))[..16].ToLowerInvariant();
            var baseName = Path.Combine(StampDirectory, $"{Path.GetFileName(modelPath.TrimEnd('/', '\\'))}-{id}");
            var metadata = new Dictionary<string, string>
            {
                ["ModelPath"] = model.ItemSpec,
                ["Policy"] = model.GetMetadata("Policy"),
                ["Reference"] = model.GetMetadata("Reference"),
                ["DeclaringFile"] = declaring,
                ["Stamp"] = baseName + ".stamp",
                ["Json"] = baseName + ".json",
            };

            var files = new List<string> { declaring };
            if (Directory.Exists(modelPath))
                files.AddRange(Directory.EnumerateFiles(modelPath, "*", SearchOption.AllDirectories));
            else if (File.Exists(modelPath))
                files.Add(modelPath);
            var policy = metadata["Policy"];
            if (policy.Length > 0) files.Add(Path.GetFullPath(policy, Path.GetDirectoryName(declaring)!));

            foreach (var file in files)
                result.Add(new TaskItem(file, metadata));
        }
        Inputs = result.ToArray();
        return true;
    }
}
