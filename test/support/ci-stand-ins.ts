/**
 * The stand-ins of gh and glab (test/support/gh-stand-in.mjs, glab-stand-in.mjs) in a folder of their own, named `gh`
 * and `glab`, to put first on PATH; the world they see (a JSON state file the test writes) and what they were given
 * (a JSON log, one line per run: argv, environment, and per value only SHA-256 hashes).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

const SUPPORT = path.join(process.cwd(), "test", "support");

export interface ReceivedValue {
  sha256: string;
  decodedSha256: string;
  length: number;
  lines: number;
  masked?: boolean;
  protected?: boolean;
  scope?: string;
}

export interface StandInRun {
  tool: "gh" | "glab";
  argv: string[];
  env: Record<string, string>;
  stdinIsTTY: boolean;
  verb?: "set" | "update";
  name?: string;
  options?: Record<string, unknown>;
  /** gh: per name; glab: the one value. */
  received?: Record<string, ReceivedValue> | ReceivedValue;
}

/** What the stand-ins set, by target: GitHub's "owner/name", "owner/name:env", "org:O"; GitLab's project or "group:G". */
export interface StandInState {
  secrets?: Record<string, Record<string, ReceivedValue>>;
  variables?: Record<string, Record<string, ReceivedValue>>;
}

export interface CiStandIns {
  /** The folder holding `gh` and `glab`: put it first on PATH. */
  bin: string;
  /** The case's folder (state, log, and whatever a run might have written). */
  dir: string;
  /** Environment for a run: PATH with the stand-ins first, the state and log files. */
  env: Record<string, string>;
  world(state: Record<string, unknown>): void;
  state(): StandInState;
  runs(): StandInRun[];
}

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** A fresh case folder under `root` with both stand-ins, an empty world and an empty log. */
export function ciStandIns(root: string, searchPath = process.env.PATH ?? ""): CiStandIns {
  const dir = mkdtempSync(path.join(root, "ci-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(path.join(SUPPORT, "gh-stand-in.mjs"), path.join(bin, "gh"));
  symlinkSync(path.join(SUPPORT, "glab-stand-in.mjs"), path.join(bin, "glab"));
  const statePath = path.join(dir, "state.json");
  const logPath = path.join(dir, "runs.jsonl");
  writeFileSync(statePath, "{}");
  return {
    bin,
    dir,
    env: { PATH: `${bin}${path.delimiter}${searchPath}`, CI_STAND_IN_STATE: statePath, CI_STAND_IN_LOG: logPath },
    world: (state) => writeFileSync(statePath, JSON.stringify(state)),
    state: () => JSON.parse(readFileSync(statePath, "utf8")) as StandInState,
    runs: () =>
      existsSync(logPath)
        ? readFileSync(logPath, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as StandInRun)
        : [],
  };
}

/** Every file under `dir` (recursively), with its text, for a leak check. */
export function filesUnder(dir: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) found.push(...filesUnder(file));
    else if (stat.isFile()) found.push([file, readFileSync(file, "latin1")]);
  }
  return found;
}
