// Validates built Kubernetes overlays offline: every object against the Kubernetes OpenAPI schema (kubernetes-models)
// or its custom resource's schema (prometheus-operator), and every PromQL expression of the alerts and the Grafana
// dashboard against the PromQL grammar. Usage: node validate.mjs BUILT.yaml... Exits 1 on any finding.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { parser } from "@prometheus-io/lezer-promql";

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

function promqlErrors(expr) {
  const errors = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

function expressionsOf(object) {
  if (object.kind === "PrometheusRule") {
    return object.spec.groups.flatMap((group) => group.rules.map((rule) => [`${rule.alert ?? rule.record}`, rule.expr]));
  }
  if (object.kind === "ConfigMap" && object.metadata?.labels?.grafana_dashboard) {
    return Object.entries(object.data ?? {}).flatMap(([file, json]) =>
      JSON.parse(json).panels.flatMap((panel) => panel.targets.map((target) => [`${file} "${panel.title}"`, target.expr])));
  }
  return [];
}

const findings = [];
let objects = 0;
let expressions = 0;
for (const file of process.argv.slice(2)) {
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
    for (const [where, expr] of expressionsOf(object)) {
      expressions++;
      for (const error of promqlErrors(expr)) findings.push(`${name}: PromQL of ${where} ${error}`);
    }
  }
}

for (const finding of findings) console.error(finding);
console.log(`validated ${objects} objects and ${expressions} PromQL expressions: ${findings.length} findings`);
process.exit(findings.length === 0 && objects > 0 ? 0 : 1);
