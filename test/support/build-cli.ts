/**
 * vitest's global set-up: builds the asc-key bundle (dist-cli/asc-key.js) once per run, before any test file starts,
 * with the same script `npm install` runs, so every test that runs the built CLI as a child process runs today's src.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function buildCli(): void {
  const root = process.cwd();
  execFileSync(process.execPath, [path.join(root, "scripts", "build-cli.mjs")], { cwd: root, stdio: "pipe" });
}
