import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/**
 * Runs a keychain tool and reports how it ended. Never logs, never puts anything from `input` on argv,
 * never throws: the backends turn each outcome into an AscKeyError with their own wording.
 */
export type RunResult =
  | { kind: "exited"; status: number; stdout: string; stderr: string }
  /** Ended by a signal we did not send. */
  | { kind: "signalled"; signal: string }
  /** The executable does not exist (ENOENT). */
  | { kind: "missing" }
  /** Could not be started for another reason (EACCES, ...); `code` is the errno name. */
  | { kind: "unstartable"; code: string }
  /** Still running after `timeoutMs`; it was killed. */
  | { kind: "timeout" };

export interface RunOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string;
  timeoutMs: number;
  /** Merged over process.env (PATH, HOME, DBUS_SESSION_BUS_ADDRESS ... are kept), unless `replaceEnv`. */
  env?: NodeJS.ProcessEnv;
  /** `env` is the child's whole environment: nothing of this process's reaches it (gh and glab, src/lib/ci). */
  replaceEnv?: boolean;
  cwd?: string;
  /** Keeps at most this many bytes of each of stdout and stderr (a flood is dropped); default: all of it. */
  maxOutput?: number;
  /** The signal a timeout sends (default SIGKILL). */
  timeoutSignal?: NodeJS.Signals;
  /**
   * Runs the tool in a process group of its own, and a timeout ends the whole group, not only the tool: for a
   * tool that starts tools of its own (the Secret Service writer is a shell running secret-tool). The group also
   * keeps the terminal's Ctrl-C away from it: a write that has started runs to its end.
   */
  processGroup?: boolean;
}

export function runTool(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(file, [...args], {
        env: options.replaceEnv ? options.env : { ...process.env, ...options.env },
        cwd: options.cwd,
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
        detached: options.processGroup === true,
      });
    } catch (error) {
      // e.g. a NUL byte in an argument: refused before anything runs.
      resolve({ kind: "unstartable", code: (error as NodeJS.ErrnoException).code ?? "invalid arguments" });
      return;
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const limit = options.maxOutput ?? Infinity;
    const keep = (into: Buffer[]) => {
      let kept = 0;
      return (chunk: Buffer) => {
        if (kept >= limit) return;
        into.push(chunk);
        kept += chunk.length;
      };
    };
    child.stdout.on("data", keep(stdout));
    child.stderr.on("data", keep(stderr));

    const timer = setTimeout(() => {
      const signal = options.timeoutSignal ?? "SIGKILL";
      if (options.processGroup && child.pid !== undefined) killGroup(child.pid, signal);
      else child.kill(signal);
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ kind: "timeout" });
    }, options.timeoutMs);

    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") finish({ kind: "missing" });
      else finish({ kind: "unstartable", code: error.code ?? "unknown" });
    });

    child.on("close", (status, signal) => {
      if (status === null) {
        finish({ kind: "signalled", signal: signal ?? "unknown" });
        return;
      }
      finish({
        kind: "exited",
        status,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });

    // A tool that exits without reading stdin makes our write fail with EPIPE; its exit status tells the story.
    child.stdin.on("error", () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input, "utf8");
    else child.stdin.end();
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** `security` writes `<command>: returned <OSStatus>` to stderr; only the number is taken, never the text. */
export function parseOSStatus(stderr: string): number | undefined {
  const matches = [...stderr.matchAll(/returned (-?\d{1,10})\b/g)];
  const last = matches.at(-1);
  return last ? Number(last[1]) : undefined;
}
