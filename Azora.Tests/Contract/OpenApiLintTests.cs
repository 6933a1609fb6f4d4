using System.Text.Json;
using System.Text.Json.Nodes;

namespace Azora.Tests.Contract;

/// <summary>
/// The checked-in OpenAPI document passes Spectral (spectral:oas) and Redocly (recommended) from tools/openapi-lint:
/// no error, and no warning but those tools/openapi-lint/allowed-warnings.json lists with a reason.
/// </summary>
public sealed class OpenApiLintTests : IDisposable
{
    private const string Tool = "tools/openapi-lint";

    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task The_checked_in_document_has_no_lint_error_and_no_warning_that_is_not_allowed()
    {
        var findings = await LintAsync(Repository.PathOf("openapi/v1.json"));

        var failures = Judge(findings, AllowedWarnings());

        Assert.True(failures.Count == 0, $"openapi/v1.json does not pass the linters of {Tool}:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void Every_allowed_warning_names_a_rule_of_one_of_the_linters_and_says_why()
    {
        var allowed = AllowedWarnings();

        Assert.All(allowed, entry =>
        {
            Assert.Matches("^(spectral|redocly)/[a-z0-9.-]+$", entry.Rule);
            Assert.True(entry.Reason.Length >= 20, $"{entry.Rule}: the reason '{entry.Reason}' says too little.");
            Assert.True(entry.At is null || entry.At.StartsWith('/'), $"{entry.Rule}: 'at' is a JSON pointer into the document (/paths/…).");
        });
    }

    [Fact]
    public async Task Both_linters_report_the_errors_of_a_broken_document()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Repository.PathOf("openapi/v1.json")))!.AsObject();
        document.Remove("info");
        var broken = await _scratch.WriteAsync("broken.json", document.ToJsonString());

        var findings = await LintAsync(broken);

        Assert.Contains(findings, finding => finding.Rule.StartsWith("spectral/", StringComparison.Ordinal) && finding.Severity == "error");
        Assert.Contains(findings, finding => finding.Rule.StartsWith("redocly/", StringComparison.Ordinal) && finding.Severity == "error");
        Assert.NotEmpty(Judge(findings, AllowedWarnings()));
    }

    [Fact]
    public void An_error_an_unlisted_warning_and_an_allowance_that_matches_nothing_each_fail()
    {
        Finding[] findings =
        [
            new("redocly/operation-summary", "error", "/paths/~1/get/summary", "Operation object should contain `summary` field."),
            new("spectral/info-contact", "warning", "/info", "Info object must have \"contact\" object."),
            new("redocly/tag-description", "warning", "/tags/0/description", "Tag object should contain `description` field."),
            new("redocly/tag-description", "warning", "/tags/1/description", "Tag object should contain `description` field."),
        ];
        AllowedWarning[] allowed =
        [
            new("redocly/tag-description", null, "Tags are only groups in this example."),
            new("spectral/operation-description", "/paths/~1/get", "Allowed once, no longer reported."),
        ];

        var failures = Judge(findings, allowed);

        Assert.Equal(
            [
                "error redocly/operation-summary at /paths/~1/get/summary: Operation object should contain `summary` field.",
                "warning spectral/info-contact at /info (not in allowed-warnings.json): Info object must have \"contact\" object.",
                "allowed-warnings.json allows spectral/operation-description at /paths/~1/get, which no linter reports any more: remove it.",
            ],
            failures);
        Assert.Empty(Judge(findings.Where(finding => finding.Rule == "redocly/tag-description").ToList(), [allowed[0]]));
    }

    internal sealed record Finding(string Rule, string Severity, string Pointer, string Message);

    internal sealed record AllowedWarning(string Rule, string? At, string Reason)
    {
        public bool Allows(Finding finding) => finding.Rule == Rule && (At is null || finding.Pointer == At);
    }

    /// <summary>Every error; every warning no entry allows; every entry that allows nothing.</summary>
    internal static List<string> Judge(IReadOnlyCollection<Finding> findings, IReadOnlyCollection<AllowedWarning> allowed)
    {
        var failures = findings
            .Where(finding => finding.Severity == "error")
            .Select(finding => $"error {finding.Rule} at {finding.Pointer}: {finding.Message}")
            .ToList();
        failures.AddRange(findings
            .Where(finding => finding.Severity == "warning" && !allowed.Any(entry => entry.Allows(finding)))
            .Select(finding => $"warning {finding.Rule} at {finding.Pointer} (not in allowed-warnings.json): {finding.Message}"));
        failures.AddRange(allowed
            .Where(entry => !findings.Any(finding => finding.Severity == "warning" && entry.Allows(finding)))
            .Select(entry => $"allowed-warnings.json allows {entry.Rule}{(entry.At is null ? "" : $" at {entry.At}")}, which no linter reports any more: remove it."));
        return failures;
    }

    private static List<AllowedWarning> AllowedWarnings()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Repository.PathOf($"{Tool}/allowed-warnings.json")));
        return file.RootElement.EnumerateArray()
            .Select(entry => new AllowedWarning(
                entry.GetProperty("rule").GetString()!,
                entry.TryGetProperty("at", out var at) ? at.GetString() : null,
                entry.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "" : ""))
            .ToList();
    }

    /// <summary>Both linters' findings on the document; severities are "error", "warning" or "info" (hints and infos never fail).</summary>
    internal static async Task<List<Finding>> LintAsync(string document)
    {
        var tool = Repository.PathOf(Tool);
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules")), $"Run scripts/test.sh: it installs {Tool} (npm ci).");
        var findings = new List<Finding>();

        var spectral = await Repository.RunAsync(
            "node_modules/.bin/spectral", ["lint", document, "--ruleset", ".spectral.yaml", "--format", "json", "--quiet"], workingDirectory: tool);
        Assert.True(spectral.ExitCode is 0 or 1, $"Spectral failed to run ({spectral.ExitCode}): {spectral.Output}{spectral.Error}");
        using (var report = JsonDocument.Parse(spectral.Output))
        {
            string[] severities = ["error", "warning", "info", "hint"];
            findings.AddRange(report.RootElement.EnumerateArray().Select(finding => new Finding(
                $"spectral/{finding.GetProperty("code").GetString()}",
                severities[finding.GetProperty("severity").GetInt32()],
                Pointer(finding.GetProperty("path").EnumerateArray().Select(part => part.ValueKind == JsonValueKind.Number ? part.GetRawText() : part.GetString()!)),
                finding.GetProperty("message").GetString()!)));
        }

        // No telemetry and no update check: the tests run offline.
        var redocly = await Repository.RunAsync(
            "node_modules/.bin/redocly", ["lint", document, "--config", "redocly.yaml", "--format", "json"],
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" },
            workingDirectory: tool);
        Assert.True(redocly.ExitCode is 0 or 1, $"Redocly failed to run ({redocly.ExitCode}): {redocly.Output}{redocly.Error}");
        using (var report = JsonDocument.Parse(redocly.Output))
        {
            findings.AddRange(report.RootElement.GetProperty("problems").EnumerateArray().Select(problem => new Finding(
                $"redocly/{problem.GetProperty("ruleId").GetString()}",
                problem.GetProperty("severity").GetString() == "warn" ? "warning" : problem.GetProperty("severity").GetString()!,
                problem.GetProperty("location").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } location
                    ? location.GetProperty("pointer").GetString()!.TrimStart('#')
                    : "/",
                problem.GetProperty("message").GetString()!)));
        }

        return findings;
    }

    private static string Pointer(IEnumerable<string> parts) => string.Concat(parts.Select(part => "/" + part.Replace("~", "~0").Replace("/", "~1")));
}
