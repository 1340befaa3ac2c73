/** `asc-key doctor`: each part of the set-up, pass, warn or fail, with a one-line fix. */
import os from "node:os";
import {
  appleLine,
  clockLine,
  DEFAULT_ROTATE_AFTER_DAYS,
  environmentLine,
  findLeftoverKeyFiles,
  homeRelative,
  keyAgeLine,
  keychainLine,
  leftoverFilesLine,
  overallHealth,
  retiredHealthLines,
  type HealthLine,
  type KeychainRead,
} from "../lib/health";
import { isAscKeyError } from "../lib/errors";
import { readSavedKey } from "../lib/keys";
import { summarize } from "../lib/status";
import { moveToTrash } from "../lib/trash";
import { parseCommandArgs } from "./args";
import { listRetiredKeys } from "../lib/keys";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { KEY_OPTION, keyReference } from "./keys";
import { findLeftovers, leftoverFoldersLine } from "./private-folder";
import { appleOptionsFor, keyStoreFor } from "./settings";
import { notTrashedWarning, showHelp, verifyRemembering } from "./shared";

export async function doctor(args: string[], io: CliIo): Promise<ExitStatus> {
  const values = parseCommandArgs("doctor", args, {
    json: { type: "boolean" },
    "rotate-after": { type: "string" },
    "trash-leftovers": { type: "boolean" },
    ...KEY_OPTION,
  });
  if (values.help) return showHelp("doctor", io);
  const key = keyReference(values.key);
  const rotateAfter =
    values["rotate-after"] === undefined ? DEFAULT_ROTATE_AFTER_DAYS : parseDays(values["rotate-after"]);
  const home = io.env.HOME || os.homedir();
  const now = Date.now();

  const read: KeychainRead = {};
  let record;
  try {
    const store = keyStoreFor(io.env);
    if (key === undefined) {
      record = await store.read();
      const status = summarize(record);
      if (status.configured) read.summary = status;
    } else {
      // readSavedKey has summarised the key already (its fingerprint means parsing the key again).
      ({ record, summary: read.summary } = await readSavedKey(store, key));
    }
  } catch (error) {
    // A name that means no key (or two, or a retired one) is a usage error, not a health finding.
    if (
      isAscKeyError(error, "key-unknown") ||
      isAscKeyError(error, "key-ambiguous") ||
      isAscKeyError(error, "key-retired") ||
      isAscKeyError(error, "no-key")
    ) {
      throw error;
    }
    read.error = error;
  }
  const lines: HealthLine[] = [keychainLine(read, io.env)];
  const summary = read.summary;

  if (summary) {
    let leftovers = await findLeftoverKeyFiles(home, summary.keyId);
    if (values["trash-leftovers"]) leftovers = await trashLeftovers(leftovers, home, io);
    lines.push(leftoverFilesLine(leftovers, home));
  }
  const folders = leftoverFoldersLine(await findLeftovers(os.tmpdir()));
  if (folders) lines.push(folders);
  lines.push(environmentLine(io.env, summary));
  if (record) {
    // As verify checks (a stray 401 for a key Apple accepted before asked again, the answer kept); not read again.
    const { check } = await verifyRemembering(keyStoreFor(io.env), appleOptionsFor(io.env), io, key, record);
    lines.push(appleLine(check), clockLine(check));
  }
  if (summary) lines.push(keyAgeLine(summary, now, rotateAfter));
  // A rotation is finished when Apple proves the old key revoked (the retired keys' list: nothing secret).
  if (key === undefined) {
    const retired = await listRetiredKeys(keyStoreFor(io.env)).catch(() => []);
    lines.push(...retiredHealthLines(retired, now, rotateAfter));
  }

  const healthy = overallHealth(lines) === "ok";
  if (values.json) {
    io.out(JSON.stringify({ ok: healthy, lines }));
  } else {
    for (const line of lines) {
      io.out(`${line.level.padEnd(4)}  ${line.check}: ${line.text}${line.fix ? ` Fix: ${line.fix}.` : ""}`);
    }
  }
  return healthy ? EXIT.ok : EXIT.unhealthy;
}

/** Moves each leftover .p8 to the Trash; returns the ones still there, saying what happened on stderr. */
async function trashLeftovers(files: string[], home: string, io: CliIo): Promise<string[]> {
  const left: string[] = [];
  for (const file of files) {
    const shown = homeRelative(file, home);
    try {
      await moveToTrash(file, { platform: io.platform, env: io.env, homeDir: home });
      io.err(`moved ${shown} to the Trash.`);
    } catch (error) {
      io.err(notTrashedWarning(shown, error));
      left.push(file);
    }
  }
  return left;
}

function parseDays(text: string): number {
  if (!/^\d{1,4}$/.test(text.trim())) {
    throw new UsageError("--rotate-after takes whole days, 0 (never remind) to 9999, e.g. --rotate-after 180.");
  }
  return Number(text.trim());
}
