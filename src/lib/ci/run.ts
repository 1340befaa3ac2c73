/**
 * Finding gh or glab and running it with a secret on its stdin only. The caller passes the PATH and the environment
 * (this core reads none): the CLI its own, the extension Raycast's, which is short, plus where Homebrew and the
 * official installers put the tools.
 */
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import path from "node:path";
import { runTool as runProcess } from "../keychain/run";

/**
 * Where gh and glab land besides the PATH: Homebrew on Apple silicon and on Intel (and the official macOS packages of
 * gh and glab, which install into /usr/local/bin), Homebrew on Linux, and the system's own packages.
 */
export const TOOL_DIRS: readonly string[] = [
  "/opt/homebrew/bin",
  "/usr/local/bin",
  "/home/linuxbrew/.linuxbrew/bin",
  "/usr/bin",
];

/** The first executable file `name` in the PATH's folders, then in `extraDirs`; undefined when there is none. */
export function findTool(
  name: string,
  searchPath: string | undefined,
  extraDirs: readonly string[] = [],
): string | undefined {
  const dirs = [...(searchPath ?? "").split(path.delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A PATH with `extraDirs` after its own folders (each once): what gh needs to find git where Raycast's PATH is short. */
export function pathWith(searchPath: string | undefined, extraDirs: readonly string[]): string {
  const dirs = (searchPath ?? "").split(path.delimiter).filter(Boolean);
  for (const dir of extraDirs) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(path.delimiter);
}

export interface ToolRun {
  /** The exit status; null when it ended on a signal or could not start. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not start (ENOENT, EACCES), or "timeout". */
  failure?: string;
}

export interface ToolCall {
  file: string;
  args: readonly string[];
  /** The child's whole environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Written to the child's stdin, which is then closed: the only way a secret reaches it. */
  stdin: string;
  cwd?: string;
}

/** Runs one tool, its stdin a pipe (never a terminal: gh and glab then read it and never prompt). */
export type ToolRunner = (call: ToolCall) => Promise<ToolRun>;

/** What a tool may print at most before the rest is dropped (its messages are short; a flood is not kept). */
const MAX_OUTPUT = 64 * 1024;
/** How long gh or glab may take before it is stopped. */
export const TIMEOUT_MS = 120_000;

/** The project's one way to run a tool (keychain/run.ts), with the child's environment exactly `call.env`. */
export const runTool: ToolRunner = async (call) => {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.env)) if (value !== undefined) env[name] = value;
  const result = await runProcess(call.file, call.args, {
    input: call.stdin,
    env,
    replaceEnv: true,
    cwd: call.cwd,
    maxOutput: MAX_OUTPUT,
    timeoutMs: TIMEOUT_MS,
    timeoutSignal: "SIGTERM",
  });
  const nothing = { status: null, stdout: "", stderr: "" };
  switch (result.kind) {
    case "exited":
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    case "signalled":
      return nothing;
    case "timeout":
      return { ...nothing, failure: "timeout" };
    case "missing":
      return { ...nothing, failure: "ENOENT" };
    case "unstartable":
      return { ...nothing, failure: /^E[A-Z0-9]+$/.test(result.code) ? result.code : "unknown error" };
  }
};
