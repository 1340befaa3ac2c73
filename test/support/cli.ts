/** What the asc-key child-process tests share: running a command and collecting its output, and a PATH with node only. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <argv…>` and collects its exit status and output, `input` on its stdin. Asynchronous on purpose: the Apple
 * stand-in answers from this process's event loop.
 */
export function runNode(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string | Buffer }) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** A folder (made once under `dir`) holding only a `node` link: a PATH on which no other tool is found. */
export function nodeOnlyPath(dir: string): string {
  const bin = path.join(dir, "node-only-bin");
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, "node"));
  }
  return bin;
}
