// The drift check: src/generated/schema.ts is what openapi-typescript makes of openapi/v1.json.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["scripts/generate.mjs", "--check", ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

test("the committed schema is up to date with openapi/v1.json", async () => {
  const { code, stdout, stderr } = await check();

  assert.equal(code, 0, stderr);
  assert.match(stdout, /src\/generated\/schema\.ts is up to date/);
});

test("the drift check fails, saying to run the generator, when the document has changed", async () => {
  const scratch = await mkdtemp(join(tmpdir(), "azora-sdk-drift-"));
  try {
    const document = JSON.parse(await readFile(join(root, "../../openapi/v1.json"), "utf8"));
    document.paths["/api/education/courses"].get.summary = "A summary the committed schema has never seen.";
    const changed = join(scratch, "v1.json");
    await writeFile(changed, JSON.stringify(document));

    const { code, stderr } = await check("--document", changed);

    assert.equal(code, 1);
    assert.match(stderr, /src\/generated\/schema\.ts is out of date .*run `npm run generate` in sdk\/typescript and commit the result/);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
