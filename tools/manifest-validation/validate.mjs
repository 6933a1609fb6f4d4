// Validates built Kubernetes overlays offline: every object against the Kubernetes OpenAPI schema (kubernetes-models)
// or its custom resource's schema (prometheus-operator), every PromQL expression of the alerts and the Grafana
// dashboard against the PromQL grammar, and every LogQL expression of the dashboard's Loki panels against the LogQL
// grammar; a Markdown file's ```logql blocks are checked the same way (the runbook's log queries). Usage:
// node validate.mjs BUILT.yaml... [DOC.md...]. Exits 1 on any finding.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { parser as promql } from "@prometheus-io/lezer-promql";
import { parser as logql } from "@grafana/lezer-logql";

const parsers = { PromQL: promql, LogQL: logql };

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

function syntaxErrors(language, expr) {
  const errors = [];
  parsers[language].parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

function expressionsOf(object) {
  if (object.kind === "PrometheusRule") {
    return object.spec.groups.flatMap((group) => group.rules.map((rule) => [`${rule.alert ?? rule.record}`, "PromQL", rule.expr]));
  }
  if (object.kind === "ConfigMap" && object.metadata?.labels?.grafana_dashboard) {
    return Object.entries(object.data ?? {}).flatMap(([file, json]) =>
      JSON.parse(json).panels.flatMap((panel) => panel.targets.map((target) => [
        `${file} "${panel.title}"`,
        (target.datasource ?? panel.datasource)?.type === "loki" ? "LogQL" : "PromQL",
        target.expr,
      ])));
  }
  return [];
}

const findings = [];
let objects = 0;
const expressions = { PromQL: 0, LogQL: 0 };
for (const file of process.argv.slice(2).filter((name) => name.endsWith(".md"))) {
  const blocks = [...readFileSync(file, "utf8").matchAll(/^```logql\n([\s\S]*?)^```$/gm)].map((block) => block[1].trim());
  if (blocks.length === 0) findings.push(`${file}: no \`\`\`logql block`);
  for (const expr of blocks) {
    expressions.LogQL++;
    for (const error of syntaxErrors("LogQL", expr)) findings.push(`${file}: LogQL ${JSON.stringify(expr.slice(0, 60))} ${error}`);
  }
}

for (const file of process.argv.slice(2).filter((name) => !name.endsWith(".md"))) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      findings.push(`${file}: YAML: ${document.errors.map((error) => error.message).join("; ")}`);
      continue;
    }
    const object = document.toJS();
    if (object === null) continue;
    const name = `${file}: ${object.kind}/${object.metadata?.name}`;
    let Model;
    try {
      Model = (await import(modulePath(object.apiVersion, object.kind)))[object.kind];
    } catch {
      findings.push(`${name}: no schema known for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      findings.push(`${name}: ${error.message}`);
    }
    objects++;
    for (const [where, language, expr] of expressionsOf(object)) {
      expressions[language]++;
      for (const error of syntaxErrors(language, expr)) findings.push(`${name}: ${language} of ${where} ${error}`);
    }
  }
}

for (const finding of findings) console.error(finding);
console.log(`validated ${objects} objects, ${expressions.PromQL} PromQL and ${expressions.LogQL} LogQL expressions: ${findings.length} findings`);
process.exit(findings.length === 0 && objects > 0 ? 0 : 1);
