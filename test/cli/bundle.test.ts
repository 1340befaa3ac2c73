/**
 * The asc-key bundle, dist-cli/asc-key.js, as users run it: one plain JavaScript file that runs with node alone,
 * outside the project. Child processes on purpose: the bundle is what is tested.
 */
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE, cliProcess, COMMANDS, ROOT, tmp } from "../support/asc-key";

describe("the bundle", () => {
  it("is one executable JavaScript file with a node shebang, named by package.json bin", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(path.resolve(ROOT, pkg.bin["asc-key"])).toBe(BUNDLE);
    expect(pkg.scripts.prepare).toContain("scripts/build-cli.mjs");
    expect(pkg.devDependencies.esbuild).toBeDefined();
    const text = readFileSync(BUNDLE, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(BUNDLE).mode & 0o111).not.toBe(0);
  });

  it("contains no @raycast import", () => {
    expect(readFileSync(BUNDLE, "utf8")).not.toContain("@raycast");
  });

  it("runs --help with plain node, outside the project (no TypeScript loader, no node_modules)", async () => {
    const elsewhere = mkdtempSync(path.join(tmp, "elsewhere-"));
    const copy = path.join(elsewhere, "asc-key.js");
    copyFileSync(BUNDLE, copy);
    const run = await cliProcess(["--help"], { bundle: copy, cwd: elsewhere, env: { NODE_PATH: undefined } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: asc-key <command> [options]");
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command} `);
    expect(run.stderr).toBe("");
  });
});
