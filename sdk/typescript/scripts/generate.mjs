// Generates src/generated/schema.ts from the checked-in OpenAPI document with openapi-typescript, or, with --check,
// regenerates into a temporary file and fails when the committed file differs (the drift check).
//
//   node scripts/generate.mjs                       write src/generated/schema.ts
//   node scripts/generate.mjs --check               exit 1 when it is out of date
//   node scripts/generate.mjs --check --document X  the same against another document (used by the tests)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const documentArg = args.indexOf("--document");
const document = documentArg >= 0 ? resolve(args[documentArg + 1]) : resolve(root, "../../openapi/v1.json");
const target = join(root, "src/generated/schema.ts");
const cli = join(root, "node_modules/openapi-typescript/bin/cli.js");

if (!existsSync(cli)) {
  console.error("openapi-typescript is not installed: run `npm ci` in sdk/typescript first.");
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), "azora-sdk-schema-"));
try {
  const output = join(scratch, "schema.ts");
  const run = spawnSync(process.execPath, [cli, document, "--output", output], { cwd: root, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`openapi-typescript failed on ${document}:\n${run.stdout}${run.stderr}`);
    process.exit(2);
  }

  const generated = readFileSync(output, "utf8");
  if (!check) {
    writeFileSync(target, generated);
    console.log(`wrote ${relative(root, target)} from ${relative(root, document)}`);
  } else {
    const committed = existsSync(target) ? readFileSync(target, "utf8") : "";
    if (committed !== generated) {
      console.error(
        `${relative(root, target)} is out of date with ${relative(root, document)}: ` +
          "run `npm run generate` in sdk/typescript and commit the result.",
      );
      process.exit(1);
    }
    console.log(`${relative(root, target)} is up to date with ${relative(root, document)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
