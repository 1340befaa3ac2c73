#!/usr/bin/env node
// Rewrites the parts of docs/ written from the code (scripts/generated-docs.ts: the exports table in docs/pipeline.md,
// the command reference in docs/cli.md), bundled on the fly with esbuild and formatted with prettier.
// test/scripts/generated-docs.test.ts fails when a doc differs from what this writes.
//
//   npm run docs
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const esbuild = await import("esbuild");
const prettier = await import("prettier");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "generated-docs-"));
try {
  const outfile = path.join(dir, "generated-docs.cjs");
  await esbuild.build({
    entryPoints: [path.join(root, "scripts/generated-docs.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    logLevel: "warning",
  });
  const { GENERATED_SECTIONS, withSection } = createRequire(import.meta.url)(outfile);
  for (const section of GENERATED_SECTIONS) {
    const file = path.join(root, section.file);
    const next = withSection(fs.readFileSync(file, "utf8"), section);
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    fs.writeFileSync(file, await prettier.format(next, options));
    console.log(`${section.file}: the ${section.name} part is up to date`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
