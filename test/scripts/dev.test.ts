/**
 * `npm run dev` (scripts/dev.mjs) away from a Mac: one line saying what it needs and what to try instead, exit 1, and
 * no stack trace (ray develop alone ends in one about xdg-open). And the README's two commands for everyone else.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = process.cwd();

describe("npm run dev", () => {
  it("is scripts/dev.mjs", () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.dev).toBe("node scripts/dev.mjs");
  });

  it.skipIf(process.platform === "darwin")("says in one line that it needs Raycast on a Mac, and exits 1", () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, "scripts", "dev.mjs")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `npm run dev needs Raycast, which runs on macOS only (this is ${process.platform}); here, try the command line: npx asc-key status\n`,
    );
  });
});

describe("README.md", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("stays under 10 KB", () => {
    expect(statSync(path.join(ROOT, "README.md")).size).toBeLessThan(10 * 1024);
  });

  it("shows npm install and the test command CI runs near the top, and what runs without Raycast", () => {
    const top = readme.split("\n").slice(0, 25).join("\n");
    const block = /```sh\n([\s\S]*?)```/.exec(top)?.[1] ?? "";
    const commands = block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim());
    expect(commands).toContain("npm install");
    expect(commands).toContain("npm test");
    expect(readFileSync(path.join(ROOT, ".ci", "run"), "utf8")).toMatch(/^npm test$/m);
    expect(top).toMatch(/`npm run dev` needs Raycast, so a Mac/);
    expect(top).toContain("`npx asc-key status`");
  });
});
