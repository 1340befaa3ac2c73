import { promises as fs, constants as fsConstants } from "node:fs";
import path from "node:path";
import { AscKeyError, type ErrorCode } from "../errors";
import { printable } from "../text";
import { DEFAULT_TIMEOUT_MS, failureOf, type ItemRef, type SecretBackend, type ToolWords } from "./backend";
import { parseOSStatus, runTool, type RunResult } from "./run";

/**
 * The macOS Keychain through Apple's `/usr/bin/security` (no native addon: Raycast refuses `.node` files).
 * The secret travels as hex on one stdin line of `security -i`, never on argv. See docs/keychain-tools.md.
 */
export const SECURITY_PATH = "/usr/bin/security";

/** `security -i` reads 4096-byte lines and silently cuts longer ones; stay well below. */
export const MAX_COMMAND_LINE = 4000;

export interface SecurityBackendOptions {
  /** The `security` executable; tests inject a stand-in. */
  securityPath?: string;
  /** A keychain file to use instead of the default keychain (tests use a throwaway one). */
  keychainFile?: string;
  timeoutMs?: number;
  /** Extra environment for the tool, merged over process.env. */
  env?: NodeJS.ProcessEnv;
}

const WORDS: ToolWords = {
  store: "the Keychain",
  prompt: "an unlock dialog",
  missing: "The macOS security tool (/usr/bin/security) was not found; the Keychain can only be used on macOS.",
};

export function createSecurityBackend(options: SecurityBackendOptions = {}): SecretBackend {
  const securityPath = options.securityPath ?? SECURITY_PATH;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keychain = options.keychainFile === undefined ? [] : [checkWord("keychain file", options.keychainFile)];

  const run = async (args: string[], input?: string) => {
    const result = await runTool(securityPath, args, { input, timeoutMs, env: options.env });
    const failure = failureOf(result, timeoutMs, WORDS);
    if (failure) throw failure;
    return result as Extract<RunResult, { kind: "exited" }>;
  };

  const get = async (service: string, account: string) => {
    const args = ["find-generic-password", "-s", checkWord("service", service), "-a", checkWord("account", account)];
    const result = await run([...args, "-w", ...keychain]);
    if (result.status === 44) return notSeen(options.keychainFile, undefined);
    if (result.status !== 0) throw statusError(result, "read");
    return decodeFindOutput(result.stdout);
  };

  /** Two reads in one `security -i` run (see findPairLines and readPair). */
  const getPair = async (first: ItemRef, second: ItemRef) => {
    const result = await run(["-i"], findPairLines(first, second, options.keychainFile));
    return readPair(result);
  };

  return {
    get,

    async getMany(items) {
      const values: (string | undefined)[] = [];
      for (let at = 0; at < items.length; at += 2) {
        if (at + 1 === items.length) values.push(await get(items[at].service, items[at].account));
        else values.push(...(await getPair(items[at], items[at + 1])));
      }
      // Nothing seen may be a keychain file that cannot be searched, as for one read.
      return values.every((value) => value === undefined) ? notSeen(options.keychainFile, values) : values;
    },

    async set(service, account, label, secret) {
      const line = addGenericPasswordLine(service, account, label, secret, options.keychainFile);
      // One command line, ended by "\n" (a last line without it is dropped), then stdin closes: the exit
      // status is that command's.
      const result = await run(["-i"], line);
      if (result.status === 0) return;
      throw (
        refusedUpdate(result.stderr) ?? (await keychainFileError(options.keychainFile)) ?? statusError(result, "write")
      );
    },

    async accounts(service) {
      // Without -d, dump-keychain prints every item's attributes and no secret: nothing to unlock, no prompt.
      const result = await run(["dump-keychain", ...keychain]);
      if (result.status !== 0) throw statusError(result, "read");
      const accounts = parseDump(result.stdout)
        .filter((item) => item.class === "genp" && item.svce === service && item.acct !== undefined)
        .map((item) => item.acct as string);
      return accounts.length > 0 ? accounts : notSeen(options.keychainFile, accounts);
    },

    async delete(service, account) {
      const args = [
        "delete-generic-password",
        "-s",
        checkWord("service", service),
        "-a",
        checkWord("account", account),
      ];
      // It prints "password has been deleted." even when it failed: only the exit status counts.
      const result = await run([...args, ...keychain]);
      if (result.status === 0) return true;
      if (result.status === 44) return notSeen(options.keychainFile, false);
      throw statusError(result, "remove");
    },
  };
}

/**
 * The exact stdin for `security -i`, newline included. Refuses, before anything is spawned, a line the tool
 * would cut (`keychain-too-long`) and names that could break out of their quotes.
 */
export function addGenericPasswordLine(
  service: string,
  account: string,
  label: string,
  secret: string,
  keychainFile?: string,
): string {
  const words = [
    "add-generic-password",
    "-U",
    "-s",
    quote(checkWord("service", service)),
    "-a",
    quote(checkWord("account", account)),
    "-l",
    quote(checkWord("label", label)),
    "-X",
    quote(Buffer.from(secret, "utf8").toString("hex")),
  ];
  if (keychainFile !== undefined) words.push(quote(checkWord("keychain file", keychainFile)));
  const line = words.join(" ");
  const length = Buffer.byteLength(line, "utf8");
  if (length > MAX_COMMAND_LINE) {
    throw new AscKeyError(
      "keychain-too-long",
      `The key entry is too long for the Keychain tool (${length} characters on its input line, at most ${MAX_COMMAND_LINE}); nothing was saved.`,
    );
  }
  return `${line}\n`;
}

/**
 * The stdin of `security -i` reading two items: one `find-generic-password -w` line each, every line ended by "\n"
 * (a last line without it would be dropped).
 */
function findPairLines(first: ItemRef, second: ItemRef, keychainFile?: string): string {
  const line = (item: ItemRef) => {
    const words = [
      "find-generic-password",
      "-s",
      quote(checkWord("service", item.service)),
      "-a",
      quote(checkWord("account", item.account)),
      "-w",
    ];
    if (keychainFile !== undefined) words.push(quote(checkWord("keychain file", keychainFile)));
    return `${words.join(" ")}\n`;
  };
  return line(first) + line(second);
}

/**
 * What one `security -i` run of findPairLines found. Each found secret is one line on stdout (printed as is, or as
 * hex: never with a line break inside), in the order of the commands; each failing command writes
 * `<command>: returned <OSStatus>` on stderr, in order; and the run's exit status is the last command's. So the exit
 * status says how the second read ended, the number of `returned` lines whether the first failed too, and the stdout
 * lines are the secrets of the reads that found theirs. Anything else is refused rather than guessed.
 */
export function readPair(result: { status: number; stdout: string; stderr: string }): (string | undefined)[] {
  const found = result.stdout === "" ? [] : result.stdout.replace(/\n$/, "").split("\n");
  const failures = [...result.stderr.matchAll(/^[a-z-]+: returned (-?\d+)$/gm)].map((match) => Number(match[1]));
  const secondOk = result.status === 0;
  const firstFailure = failures.length === (secondOk ? 1 : 2) ? failures[0] : undefined;
  const firstOk = failures.length === (secondOk ? 0 : 1);
  if ((!firstOk && firstFailure === undefined) || found.length !== Number(firstOk) + Number(secondOk)) {
    throw new AscKeyError("keychain-failed", "The security tool answered two reads in a way this version cannot read.");
  }
  const answer = (ok: boolean, osStatus: number | undefined, status: number) => {
    if (ok) return decodeFindOutput(`${found.shift()}\n`);
    if (status === 44) return undefined;
    throw statusError({ status, stderr: osStatus === undefined ? "" : `returned ${osStatus}` }, "read");
  };
  const first = answer(firstOk, firstFailure, (firstFailure ?? 0) & 0xff);
  const second = answer(secondOk, failures.at(-1), result.status);
  return [first, second];
}

/**
 * `find-generic-password -w` prints a printable-ASCII secret as is and anything else as lowercase hex,
 * each followed by "\n". A stored record is JSON and starts with "{", which is not a hex digit, so output
 * made only of hex digit pairs is always the hex form.
 */
export function decodeFindOutput(stdout: string): string {
  const value = stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout;
  if (value.length > 0 && /^(?:[0-9a-f]{2})+$/.test(value)) return Buffer.from(value, "hex").toString("utf8");
  return value;
}

/**
 * `security dump-keychain` (without -d) as Apple's SecurityTool prints it (keychain_utilities.c,
 * print_keychain_item_attributes): per item a `keychain: "<path>"` line, then `class: "genp"` (generic password),
 * `attributes:`, and one line per attribute, `    "<tag>"<format>=<value>`, e.g. `    "acct"<blob>="key-ABC"`.
 * A value is written by print_buffer: `<NULL>` for none; bytes that are all printable ASCII other than backslash as
 * `"..."`; otherwise `0x<HEX>` then, if any byte is printable, two spaces and `"..."` with the others as `\ooo`
 * (octal). The hex form is the exact one, so it is preferred. Returns each item's class and attributes by tag.
 */
export function parseDump(stdout: string): Record<string, string | undefined>[] {
  const items: Record<string, string | undefined>[] = [];
  let item: Record<string, string | undefined> | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith("keychain: ")) {
      item = {};
      items.push(item);
      continue;
    }
    if (!item) continue;
    const kind = /^class: (?:"(.{4})"|0x([0-9A-F]{8}))/.exec(line);
    if (kind) {
      item.class = kind[1] ?? Buffer.from(kind[2], "hex").toString("latin1");
      continue;
    }
    const attribute = /^ {4}(?:"(.{4})"|0x[0-9A-F]{8})<[a-z0-9: ]+>=(.*)$/.exec(line);
    if (attribute?.[1] !== undefined) item[attribute[1]] = dumpValue(attribute[2]);
  }
  return items;
}

function dumpValue(value: string): string | undefined {
  const hex = /^0x([0-9A-F]*)/.exec(value);
  if (hex) return Buffer.from(hex[1], "hex").toString("utf8");
  const quoted = /^"(.*)"$/.exec(value);
  if (!quoted) return undefined;
  return quoted[1].replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Names go inside "..." on the `-i` line, where a quote, a backslash or a line break would change the command. */
function checkWord(what: string, value: string): string {
  if (value === "") throw new AscKeyError("keychain-failed", `The Keychain ${what} is empty.`);
  // eslint-disable-next-line no-control-regex
  if (/["'\\\u0000-\u001f\u007f]/.test(value)) {
    throw new AscKeyError(
      "keychain-failed",
      `The Keychain ${what} contains a quote, a backslash or a control character, which the security tool cannot take.`,
    );
  }
  return value;
}

function quote(word: string): string {
  return `"${word}"`;
}

/**
 * What a write over an existing item says when macOS refused the change. `add-generic-password -U` first updates
 * the item in place (SecKeychainItemModifyContent); when that fails it writes
 * `security: SecKeychainItemModifyContent: <reason>` to stderr and, without stopping, tries to create the item,
 * which fails as a duplicate (exit status 45): Apple's SecurityTool/macOS/keychain_add.c,
 * do_update_generic_password and do_add_generic_password. The exit status therefore says "duplicate" for what
 * was really a dialog the user denied (errSecUserCanceled, "User canceled the operation.") or one that could not
 * be shown (errSecInteractionNotAllowed, "User interaction is not allowed.", e.g. over SSH). The reason line is
 * the truth; the status is not. Undefined when no update was refused.
 */
export function refusedUpdate(stderr: string): AscKeyError | undefined {
  const reason = /^security: SecKeychainItemModifyContent: (.*)$/m.exec(stderr)?.[1]?.trim();
  if (reason === undefined) return undefined;
  if (reason === "User canceled the operation.") {
    return new AscKeyError(
      "keychain-update-denied",
      "The Keychain dialog asking to change the saved item was denied or dismissed, so nothing was changed: run it again and choose Allow or Always Allow.",
    );
  }
  if (reason === "User interaction is not allowed.") {
    return new AscKeyError(
      "keychain-update-unconfirmable",
      "Changing the saved Keychain item needs a confirmation that cannot be shown here (no GUI session, for example over SSH), so nothing was changed: run it at the Mac, or unlock the keychain first (security unlock-keychain).",
    );
  }
  return new AscKeyError(
    "keychain-update-refused",
    `The Keychain refused to change the saved item (${printable(reason.slice(0, 200))}), so nothing was changed.`,
  );
}

/**
 * `find-generic-password` and `delete-generic-password` report "not found" (status 44) for whatever kept the search
 * from seeing the item: they drop the search's own status (SecurityTool/macOS/keychain_find.c,
 * find_first_generic_password), and a keychain that cannot be opened is skipped without a word
 * (OSX/include/security_keychain/KCCursor.cpp). So 44 from an explicit keychain file that is missing, unreadable or
 * not a keychain is not "no item": said here instead. Without a keychain file, or with one that is fine, `nothing`.
 */
async function notSeen<T>(keychainFile: string | undefined, nothing: T): Promise<T> {
  const error = await keychainFileError(keychainFile);
  if (error) throw error;
  return nothing;
}

/** Keychain files start with the magic `kych` (OSX/libsecurity_filedb/lib/AppleDatabase.h, HeaderMagic). */
const KEYCHAIN_MAGIC = "kych";

/**
 * Why an explicit keychain file cannot be what the tool searched, or undefined when it looks fine. Only an absolute
 * path is checked: `security` looks a bare name up in the search list and ~/Library/Keychains, not the current
 * folder (SecurityTool/macOS/keychain_utilities.c, keychain_open).
 */
async function keychainFileError(keychainFile: string | undefined): Promise<AscKeyError | undefined> {
  if (keychainFile === undefined || !path.isAbsolute(keychainFile)) return undefined;
  const shown = printable(keychainFile);
  let magic: string;
  try {
    await fs.access(keychainFile, fsConstants.R_OK);
    const handle = await fs.open(keychainFile, "r");
    try {
      const buffer = Buffer.alloc(KEYCHAIN_MAGIC.length);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      magic = buffer.subarray(0, bytesRead).toString("latin1");
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return new AscKeyError(
        "keychain-no-such-keychain",
        `The keychain file ${shown} does not exist, so no key can be found in it; check the keychain file setting.`,
      );
    }
    const why =
      code === "EACCES" || code === "EPERM" ? "cannot be read" : code === "EISDIR" ? "is a folder" : "cannot be opened";
    return new AscKeyError(
      "keychain-unreadable",
      `The keychain file ${shown} ${why}, so the Keychain tool could not look in it; check the keychain file setting.`,
    );
  }
  if (magic !== KEYCHAIN_MAGIC) {
    return new AscKeyError(
      "keychain-unreadable",
      `The file ${shown} is not a keychain, so the Keychain tool could not look in it; check the keychain file setting.`,
    );
  }
  return undefined;
}

const STATUS: Record<number, { code: ErrorCode; message: string }> = {
  44: { code: "keychain-not-found", message: "The LingCode item is not in the Keychain." },
  36: {
    code: "keychain-locked",
    message:
      "The Keychain is locked and cannot ask to be unlocked (no GUI session, for example over SSH): unlock it (log in at the Mac, or run security unlock-keychain) and try again.",
  },
  51: { code: "keychain-denied", message: "Keychain access was denied." },
  128: { code: "keychain-cancelled", message: "The Keychain request was cancelled." },
  50: { code: "keychain-no-such-keychain", message: "The keychain to use does not exist." },
};

function statusError(result: { status: number; stderr: string }, action: string): AscKeyError {
  const known = STATUS[result.status];
  if (known) return new AscKeyError(known.code, known.message);
  const osStatus = parseOSStatus(result.stderr);
  const detail = osStatus === undefined ? "" : `, OSStatus ${osStatus}`;
  const hint = result.status === 45 ? " (the existing item could not be updated)" : "";
  return new AscKeyError(
    "keychain-failed",
    `Could not ${action} the Keychain item${hint}: the security tool exited with status ${result.status}${detail}.`,
  );
}
