#!/usr/bin/env node
// Rewrites the part of docs/pipeline.md between its exports-table markers from the one table in src/lib/exports/index.ts
// (bundled on the fly with esbuild), formatted with prettier. test/lib/exports/table.test.ts fails when they differ.
//
//   node scripts/pipeline-docs.mjs            rewrite docs/pipeline.md
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const docs = path.join(root, "docs", "pipeline.md");

const esbuild = await import("esbuild");
const prettier = await import("prettier");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-docs-"));
try {
  const outfile = path.join(dir, "exports.cjs");
  await esbuild.build({
    entryPoints: [path.join(root, "src/lib/exports/index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    logLevel: "warning",
  });
  const { DOCS_MARKERS, exportDocsMarkdown } = createRequire(import.meta.url)(outfile);
  const text = fs.readFileSync(docs, "utf8");
  const start = text.indexOf(DOCS_MARKERS.start);
  const end = text.indexOf(DOCS_MARKERS.end);
  if (start === -1 || end < start) throw new Error(`docs/pipeline.md lacks the markers ${DOCS_MARKERS.start} ... end`);
  const block = `${DOCS_MARKERS.start}\n\n${exportDocsMarkdown()}\n\n`;
  const next = text.slice(0, start) + block + text.slice(end);
  const options = { ...(await prettier.resolveConfig(docs)), filepath: docs };
  fs.writeFileSync(docs, await prettier.format(next, options));
  console.log("docs/pipeline.md: the exports part is up to date");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
