namespace ModelGate.Core.Safety;

/// <summary>How an import found in a pickle is judged.</summary>
public enum ImportRisk
{
    /// <summary>A tensor/container rebuild helper that model checkpoints legitimately use.</summary>
    Allowed,
    /// <summary>Not on the allowlist; loading would call code we have not vetted.</summary>
    Unknown,
    /// <summary>Runs commands, evaluates code, or reaches the OS: a loaded file would execute it.</summary>
    Dangerous,
}

/// <summary>One GLOBAL / STACK_GLOBAL / INST reference. Module or name are "?" when STACK_GLOBAL's operands were not plain strings.</summary>
public sealed record PickleImport(string Module, string Name, ImportRisk Risk, long Offset)
{
    public string QualifiedName => $"{Module}.{Name}";
}

/// <summary>The allowlist and the deny rules. Allowlist first: anything not vetted is at least Unknown.</summary>
public static class PickleImportPolicy
{
    private static readonly HashSet<string> AllowedExact = new(StringComparer.Ordinal)
    {
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_device_tensor_from_numpy", "torch._utils._rebuild_qtensor",
        "torch._tensor._rebuild_from_type_v2", "torch.Size", "torch.device",
        "collections.OrderedDict", "collections.defaultdict",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.ndarray", "numpy.dtype",
        "_codecs.encode",
        "builtins.set", "builtins.frozenset", "builtins.dict", "builtins.list", "builtins.tuple",
        "builtins.int", "builtins.float", "builtins.bool", "builtins.str", "builtins.bytes", "builtins.slice",
    };

    /// <summary>torch dtypes (torch.float16, torch.bfloat16 …) and typed storages (torch.FloatStorage …).</summary>
    private static readonly HashSet<string> TorchDtypesAndStorages = new(StringComparer.Ordinal)
    {
        "float16", "float32", "float64", "bfloat16", "half", "float", "double", "int8", "uint8", "int16", "int32", "int64",
        "bool", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2",
        "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage",
        "CharStorage", "ByteStorage", "BoolStorage", "UntypedStorage", "ComplexFloatStorage", "ComplexDoubleStorage",
    };

    private static readonly HashSet<string> DangerousModules = new(StringComparer.Ordinal)
    {
        "os", "posix", "nt", "subprocess", "runpy", "sys", "shutil", "socket", "importlib", "pickle", "_pickle",
        "marshal", "types", "ctypes", "pty", "code", "codeop", "webbrowser", "commands", "platform", "multiprocessing",
        "asyncio", "urllib", "requests", "http", "ftplib", "telnetlib", "tempfile", "pathlib", "io", "operator",
        "functools", "torch.storage", "torch.serialization", "numpy.testing", "pip", "setuptools",
    };

    private static readonly HashSet<string> DangerousBuiltins = new(StringComparer.Ordinal)
    {
        "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "__import__", "apply", "execfile",
        "input", "breakpoint", "globals", "locals", "vars", "file", "reload",
    };

    public static ImportRisk Judge(string module, string name)
    {
        if (module == "torch" && TorchDtypesAndStorages.Contains(name)) return ImportRisk.Allowed;
        if (AllowedExact.Contains($"{module}.{name}")) return ImportRisk.Allowed;
        if (module is "builtins" or "__builtin__" or "__builtins__" && DangerousBuiltins.Contains(name)) return ImportRisk.Dangerous;
        var root = module;
        while (true)
        {
            if (DangerousModules.Contains(root)) return ImportRisk.Dangerous;
            var dot = root.LastIndexOf('.');
            if (dot < 0) break;
            root = root[..dot];
        }
        // Names that are themselves a way to run code, whatever module re-exports them.
        if (name is "system" or "popen" or "eval" or "exec" or "spawn" or "execv" or "execve" or "run_path" or "run_module"
            or "__reduce__" or "__import__") return ImportRisk.Dangerous;
        return ImportRisk.Unknown;
    }
}
