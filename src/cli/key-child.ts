/**
 * Runs a command with the key in a private, short-lived folder: `exec` and `notary-profile` share it.
 *
 * The folder comes from fs.mkdtemp under os.tmpdir() (mode 0700), named after this process (src/cli/private-folder.ts);
 * each file is created new (flag "wx", mode 0600). It is removed when the command ends, whether it succeeded or
 * failed, when it could not be started, and when asc-key gets SIGINT, SIGTERM or SIGHUP: the signal is passed on to
 * the command, asc-key waits for it to end, removes the folder and exits 128+n as a shell does. A last synchronous
 * removal runs on process exit in case something else ends asc-key. SIGKILL and a power cut cannot be caught: the
 * folder they leave is removed by the next command that makes one, before it writes its own key.
 *
 * The command's stdin, stdout and stderr are asc-key's own. Its status is passed through; a command that is not
 * found is 127 and one that cannot be run 126, as in a shell. No key material is ever put on an argv.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  authKeyFileName,
  FASTLANE_JSON_NAME,
  fastlaneApiKeyJson,
  type FileNeeds,
  type FolderPaths,
} from "../lib/exports";
import type { KeyRecord } from "../lib/record";
import { printableCut, WIDTH } from "../lib/text";
import { EXIT, passThrough, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { makePrivateFolder, sweepLeftovers } from "./private-folder";

/** The signals passed on to the command. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

interface ChildSpec {
  /** The program: a name looked up on env.PATH, or a path. */
  file: string;
  args: string[];
  env: Record<string, string>;
}

interface RunWithKeyOptions {
  record: KeyRecord;
  /** Which files the folder holds; with neither, no folder is made. */
  needs: FileNeeds;
  io: CliIo;
  /** Builds the command once the folder exists. */
  command: (paths: FolderPaths | undefined) => ChildSpec;
}

/** Makes the folder, runs the command, removes the folder on every way out. */
export async function runWithKey(options: RunWithKeyOptions): Promise<ExitStatus> {
  const { io } = options;
  let received: ForwardedSignal | undefined;
  let child: ChildProcess | undefined;
  let folder: string | undefined;

  const onSignal = (signal: ForwardedSignal) => {
    received ??= signal;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // Already gone: its exit is on the way.
      }
    }
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  const lastResort = () => {
    try {
      if (folder) rmSync(folder, { recursive: true, force: true });
    } catch {
      process.stderr.write(`asc-key: warning: could not remove ${folder}; it holds the key: delete it yourself.\n`);
    }
  };
  for (const [signal, handler] of handlers) process.on(signal, handler);
  process.on("exit", lastResort);

  try {
    let paths: FolderPaths | undefined;
    if (options.needs.keyFile || options.needs.fastlaneJson) {
      try {
        const removed = await sweepLeftovers(os.tmpdir());
        if (removed > 0) io.err(`removed ${removed} private key folder(s) left by an asc-key that was killed.`);
        folder = await makePrivateFolder(os.tmpdir());
        paths = await writeKeyFiles(folder, options.record, options.needs);
      } catch (error) {
        io.err(`could not make the private folder for the key in ${os.tmpdir()} (${errnoWords(error)}).`);
        return EXIT.unexpected;
      }
    }
    if (received) return signalStatus(received);
    const spec = options.command(paths);
    const status = await spawnAndWait(spec, io, (started) => (child = started));
    return received ? signalStatus(received) : status;
  } finally {
    if (folder) await removeFolder(folder, io);
    folder = undefined;
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off("exit", lastResort);
  }
}

/** Removes the folder; if that fails, says where it is, since it holds the key. */
async function removeFolder(folder: string, io: CliIo): Promise<void> {
  try {
    await fs.rm(folder, { recursive: true, force: true });
  } catch (error) {
    io.err(`warning: could not remove ${folder} (${errnoWords(error)}); it holds the key: delete it yourself.`);
  }
}

/** Writes the files into the (already private) folder; each is created new with mode 0600. */
async function writeKeyFiles(folder: string, record: KeyRecord, needs: FileNeeds): Promise<FolderPaths> {
  const paths: FolderPaths = { folder };
  if (needs.keyFile) {
    paths.keyFile = path.join(folder, authKeyFileName(record.keyId));
    await writePrivateFile(paths.keyFile, record.privateKey);
  }
  if (needs.fastlaneJson) {
    paths.fastlaneJson = path.join(folder, FASTLANE_JSON_NAME);
    await writePrivateFile(paths.fastlaneJson, fastlaneApiKeyJson(record));
  }
  return paths;
}

/** Creates `file` (never over an existing one) with mode 0600 whatever the umask, and writes `text`. */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, "wx", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, "utf8");
  } finally {
    await handle.close();
  }
}

function spawnAndWait(spec: ChildSpec, io: CliIo, started: (child: ChildProcess) => void): Promise<ExitStatus> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status: ExitStatus) => {
      if (!settled) {
        settled = true;
        resolve(status);
      }
    };
    let child: ChildProcess;
    try {
      child = spawn(spec.file, spec.args, { stdio: "inherit", env: spec.env });
    } catch (error) {
      settle(spawnFailure(error, spec.file, io));
      return;
    }
    started(child);
    child.once("error", (error) => {
      // Before it ran: it could not be started. Afterwards (a failed kill) the exit still comes.
      if (child.pid === undefined) settle(spawnFailure(error, spec.file, io));
    });
    child.once("exit", (code, signal) => {
      if (code !== null) settle(passThrough(code));
      else if (signal) settle(signalStatus(signal));
      else settle(EXIT.unexpected);
    });
  });
}

/** 127 for a command that is not there, 126 for one that cannot be run, with the shell's words. */
function spawnFailure(error: unknown, file: string, io: CliIo): ExitStatus {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const name = printableCut(file, WIDTH.commandName);
  if (code === "ENOENT") {
    io.err(`${name}: command not found.`);
    return EXIT.notFound;
  }
  io.err(
    `${name}: cannot run it (${code === "EACCES" || code === "EISDIR" ? "permission denied" : errnoWords(error)}).`,
  );
  return EXIT.cannotRun;
}

/** 128 + the signal's number, as a shell reports a command ended by a signal. */
function signalStatus(signal: NodeJS.Signals): ExitStatus {
  const number = os.constants.signals[signal] ?? 0;
  return passThrough(128 + number);
}

function errnoWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : "unknown error";
}
