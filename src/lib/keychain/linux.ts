import { AscKeyError } from "../errors";
import { oneLine } from "../text";
import { DEFAULT_TIMEOUT_MS, failureOf, type SecretBackend, type ToolWords } from "./backend";
import { runTool, type RunResult } from "./run";

/**
 * The Secret Service (gnome-keyring, KeePassXC, ...) through `secret-tool` from libsecret-tools, and `dbus-send`
 * (package dbus) for the two things secret-tool cannot do: list the items by object path and delete one of them.
 * The secret goes through stdin, never argv.
 *
 * Writes use exactly keytar's attributes: `xdg:schema` = org.freedesktop.Secret.Generic, `service`, `account`.
 * keytar (libsecret with that schema) adds `xdg:schema` to its lookups, so an item stored without it (a bare
 * `secret-tool store service S account A`) can be invisible to keytar, and a store with the schema may add a
 * second item next to it instead of replacing it. So a read looks with the schema first, then without; and a
 * write, after storing, deletes every other item for (service, account) by its object path, so exactly one item
 * is left and every reader gets the new secret. The old item goes only after the new one is stored: at no moment
 * is the entry missing.
 *
 * Observed with libsecret 0.20 and gnome-keyring 42: `store` keeps stdin byte for byte (a trailing newline too),
 * and stores whatever it read when stdin ends, an empty stdin included; `lookup` prints the secret with no newline
 * added and exits 1 with nothing on stderr both when there is no such item and when the collection is locked (its
 * unlock prompt dismissed, or the daemon restarted without unlocking); `search` without `--unlock` never prompts,
 * lists a locked item without its `secret = ` line (and says "locked" on stderr), lists nothing and exits 0 when
 * nothing matches; `clear` exits 1 when nothing unlocked matched. gnome-keyring keeps only an item type on disk,
 * so a bare item gets keytar's schema whenever the daemon reloads the keyring file (at the next login, and now and
 * then at once): until then keytar does not see it and a store with the schema adds a second item beside it.
 */
const SECRET_TOOL = "secret-tool";
const DBUS_SEND = "dbus-send";
export const GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";
/** The POSIX shell that holds the record until all of it has arrived (see STORE_SCRIPT). */
export const SHELL = "/bin/sh";

/**
 * Exit status of STORE_SCRIPT when stdin ended before the record's "\n": the caller died while writing, or wrote
 * nothing. secret-tool was not started and nothing was stored.
 */
export const INCOMPLETE_RECORD_STATUS = 93;

/**
 * Why a shell stands between us and `secret-tool store`: secret-tool reads its stdin to the end and stores what it
 * got. If the caller dies after starting it and before writing the record (SIGKILL, SIGTERM, a crash), its end of
 * the pipe closes and secret-tool stores an empty or partial secret over the saved key. Here the shell is started
 * instead, with only the command on argv (the secret only on stdin). `read` returns non-zero when stdin ends before
 * the "\n" that closes the one-line record, and the shell exits without starting secret-tool. Only once the whole
 * line is in the shell's hands does it start secret-tool, and feeds it with `printf` (a builtin: no further program
 * to start, and one write of a few hundred bytes). From then on the caller may die: the shell no longer needs it.
 * The record is one line of JSON (JSON.stringify escapes every newline), so set() refuses "\n" and NUL.
 */
export const STORE_SCRIPT = [
  `IFS= read -r line || exit ${INCOMPLETE_RECORD_STATUS}`,
  `printf '%s' "$line" | "$@"`,
].join("\n");

function attributes(service: string, account: string): string[] {
  return ["xdg:schema", GENERIC_SCHEMA, "service", service, "account", account];
}

/** Any item for (service, account), with or without the schema. */
function anyAttributes(service: string, account: string): string[] {
  return ["service", service, "account", account];
}

export interface SecretToolBackendOptions {
  /** The `secret-tool` executable, found on PATH by default. */
  secretToolPath?: string;
  /** The `dbus-send` executable, found on PATH by default. */
  dbusSendPath?: string;
  timeoutMs?: number;
  /** Extra environment for the tools, merged over process.env. */
  env?: NodeJS.ProcessEnv;
}

const WORDS: ToolWords = {
  store: "the keyring (Secret Service)",
  prompt: "an unlock prompt",
  missing: "secret-tool was not found; install libsecret-tools (apt-get install libsecret-tools).",
};

/** What `search` (without --unlock) saw: nothing, only locked items, or an item whose secret it could read. */
type Listing = "none" | "locked" | "unlocked";

export function createSecretToolBackend(options: SecretToolBackendOptions = {}): SecretBackend {
  const tool = options.secretToolPath ?? SECRET_TOOL;
  const dbusSend = options.dbusSendPath ?? DBUS_SEND;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const exited = (result: RunResult) => {
    const failure = failureOf(result, timeoutMs, WORDS);
    if (failure) throw failure;
    return result as Extract<RunResult, { kind: "exited" }>;
  };
  const run = async (args: string[]) => exited(await runTool(tool, args, { timeoutMs, env: options.env }));

  const lookup = async (service: string, account: string, match = attributes) => {
    const result = await run(["lookup", ...match(service, account)]);
    if (result.status === 0) return result.stdout;
    if (result.status === 1 && result.stderr.trim() === "") return undefined;
    throw statusError(result, "read");
  };

  /** How many items `search` lists for (service, account), and whether it could read the secret of any. */
  const search = async (service: string, account: string): Promise<{ items: number; listing: Listing }> => {
    const result = await run(["search", "--all", ...anyAttributes(service, account)]);
    if (result.status !== 0) throw statusError(result, "read");
    // One "[<object path>]" line per item, then "label = ...", "secret = ..." (only when unlocked), ... The
    // secrets it prints are dropped with the output, unread.
    const items = result.stdout.match(/^\[[^\]\n]*\]$/gm)?.length ?? 0;
    if (items === 0) return { items, listing: "none" };
    return { items, listing: /^secret = /m.test(result.stdout) ? "unlocked" : "locked" };
  };
  const listing = async (service: string, account: string) => (await search(service, account)).listing;

  const read = async (service: string, account: string): Promise<string | undefined> =>
    settle(service, account, await lookup(service, account));

  /** What a read makes of its lookup's answer (`found`). */
  const settle = async (service: string, account: string, found: string | undefined) => {
    if (found !== undefined) return found;
    // Nothing, or a locked keyring: lookup cannot tell them apart, search can (without prompting again).
    const seen = await listing(service, account);
    if (seen === "none") return undefined;
    if (seen === "locked") throw lockedError();
    // An unlocked item the lookup with the schema did not match: one stored without keytar's schema attribute.
    const bare = await lookup(service, account, anyAttributes);
    if (bare !== undefined) return bare;
    // It went away (or got locked) between the two looks.
    if ((await listing(service, account)) === "none") return undefined;
    throw lockedError();
  };

  /**
   * dbus-send, run once more after a failure that is neither a locked keyring nor a missing Secret Service: both calls
   * made here (list the items, remove one) are safe to repeat, and under load gnome-keyring now and then fails one
   * call that succeeds at once when repeated.
   */
  const runDbus = async (args: string[]): Promise<RunResult> => {
    const first = await runTool(dbusSend, args, { timeoutMs, env: options.env });
    if (first.kind !== "exited" || first.status === 0 || !isTransient(first.stderr)) return first;
    return runTool(dbusSend, args, { timeoutMs, env: options.env });
  };

  /** Object paths of every item for (service, account), locked or not; undefined when dbus-send is missing. */
  const itemPaths = async (service: string, account: string): Promise<string[] | undefined> => {
    const result = await runDbus([
      ...DBUS_SECRETS,
      "/org/freedesktop/secrets",
      "org.freedesktop.Secret.Service.SearchItems",
      `dict:string:string:${dictWords(service, account)}`,
    ]);
    if (result.kind === "missing") return undefined;
    const done = exited(result);
    if (done.status !== 0) throw dbusError(done.stderr, "list");
    // Two arrays, unlocked then locked items: `object path "/org/freedesktop/secrets/collection/login/1"`.
    return [...done.stdout.matchAll(/object path "([^"\n]+)"/g)].map((match) => match[1]).filter(isItemPath);
  };

  const deleteItem = async (path: string) => {
    const done = exited(await runDbus([...DBUS_SECRETS, path, "org.freedesktop.Secret.Item.Delete"]));
    if (done.status === 0) {
      // "/" means deleted; anything else is a prompt to show, which dbus-send cannot do.
      if (/object path "\/"/.test(done.stdout)) return;
      throw new AscKeyError(
        "keychain-failed",
        "The keyring wants a confirmation to remove an older copy of the key entry; remove it in your keyring app.",
      );
    }
    if (GONE_DBUS.test(done.stderr)) return; // gone already
    throw dbusError(done.stderr, "remove");
  };

  /**
   * Each item's `lookup`, all at once. Beside a lookup that found its item, an empty answer is taken as no item: the
   * keyring answered, so it is not locked, and the `search` that would tell is not run. Read with keytar's schema,
   * as everything this backend writes is: an item stored by hand without the schema is seen by `get` alone, so a
   * caller reading an item others may write (LingCode's entry) reads it again with `get` when it comes back empty.
   * When nothing was found, each goes on as `get` goes on after its lookup (a `search` each).
   */
  const readMany = async (items: readonly { service: string; account: string }[]) => {
    const found = await Promise.all(items.map((item) => lookup(item.service, item.account)));
    if (found.some((value) => value !== undefined)) return found;
    const values: (string | undefined)[] = [];
    for (const item of items) values.push(await settle(item.service, item.account, undefined));
    return values;
  };

  return {
    get: read,
    getMany: readMany,

    async set(service, account, label, secret) {
      if (secret.includes("\n") || secret.includes("\u0000")) {
        throw new AscKeyError(
          "keychain-failed",
          "The keyring entry must be one line of text without NUL characters; nothing was saved.",
        );
      }
      const listed = await itemPaths(service, account);
      // Leave at most one item before storing, so that afterwards the item the store added is the one not seen
      // before. The one kept still holds a key: the entry is never missing.
      if (listed && listed.length > 1) for (const path of listed.slice(1)) await deleteItem(path);
      const before = listed?.slice(0, 1);

      // Replaces the item with the same attributes in one call: a reader sees the old or the new secret.
      const args = ["store", `--label=${oneLine(label)}`, ...attributes(service, account)];
      const result = exited(
        await runTool(SHELL, ["-c", STORE_SCRIPT, "sh", tool, ...args], {
          input: `${secret}\n`,
          timeoutMs,
          env: options.env,
          processGroup: true,
        }),
      );
      if (result.status !== 0) throw storeError(result);

      if (before === undefined) {
        // Without dbus-send no other item can be removed: say so if there is one, which a reader may get instead.
        if ((await search(service, account)).items > 1) {
          throw new AscKeyError(
            "keychain-failed",
            "The key was saved, but an older keyring item for it remains, and removing it needs dbus-send: install dbus (apt-get install dbus) and register again.",
          );
        }
        return;
      }
      if (before.length === 0) return;
      // The store replaced the item seen before in place, or added one next to it (an item without keytar's
      // schema is not replaced): then the old one goes.
      const after = await itemPaths(service, account);
      if (after && after.some((path) => !before.includes(path))) {
        for (const path of before) if (after.includes(path)) await deleteItem(path);
      }
    },

    async accounts(service) {
      // `search --all` without --unlock never prompts; it prints each item's "[<object path>]", label and (when
      // unlocked) secret on stdout, which is dropped unread, and its "attribute.<name> = <value>" lines on stderr.
      const result = await run(["search", "--all", "service", service]);
      if (result.status !== 0) throw statusError(result, "read");
      return [...result.stderr.matchAll(/^attribute\.account = (.*)$/gm)].map((match) => match[1]);
    },

    async delete(service, account) {
      const result = await run(["clear", ...anyAttributes(service, account)]);
      if (result.status === 0) return true;
      if (result.status === 1 && result.stderr.trim() === "") {
        // Nothing unlocked matched: there is none (never was, or another removal came first), or it is locked.
        const seen = await listing(service, account);
        if (seen === "none") return false;
        if (seen === "locked") throw lockedError();
        throw new AscKeyError("keychain-failed", "The keyring item could not be removed: secret-tool cleared nothing.");
      }
      throw statusError(result, "remove");
    },
  };
}

const DBUS_SECRETS = ["--session", "--print-reply", "--dest=org.freedesktop.secrets"];

function isItemPath(path: string): boolean {
  return /^\/org\/freedesktop\/secrets\/collection\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(path);
}

/** dbus-send's `dict:string:string:k,v,...` has no escape for a comma. */
function dictWords(service: string, account: string): string {
  for (const value of [service, account]) {
    // eslint-disable-next-line no-control-regex
    if (/[,\u0000-\u001f]/.test(value)) {
      throw new AscKeyError(
        "keychain-failed",
        "The keyring service and account names cannot contain a comma or a control character.",
      );
    }
  }
  return ["service", service, "account", account].join(",");
}

/** What to do about a locked keyring: said the same way wherever it is found out. */
export const LOCKED_MESSAGE =
  "The keyring is locked (or its unlock prompt was dismissed): unlock it, for example by logging in to the desktop session or unlocking the Login keyring in Passwords and Keys (Seahorse), then try again.";

function lockedError(): AscKeyError {
  return new AscKeyError("keychain-locked", LOCKED_MESSAGE);
}

function storeError(result: { status: number; stderr: string }): AscKeyError {
  if (result.status === INCOMPLETE_RECORD_STATUS) {
    return new AscKeyError("keychain-failed", "The key did not reach the keyring tool in full; nothing was saved.");
  }
  // The shell could not find or run secret-tool.
  if (result.status === 127) return new AscKeyError("keychain-tool-missing", WORDS.missing);
  if (result.status === 126) return new AscKeyError("keychain-failed", "secret-tool could not be started.");
  return statusError(result, "write");
}

/** Classifies secret-tool's stderr into a code; the text itself is never repeated. */
function statusError(result: { status: number; stderr: string }, action: string): AscKeyError {
  const stderr = result.stderr;
  if (/locked/i.test(stderr)) return lockedError();
  if (/cancel|dismiss/i.test(stderr)) {
    return new AscKeyError("keychain-cancelled", "The keyring request was cancelled.");
  }
  if (/org\.freedesktop\.secrets|autolaunch|D-?Bus|connect/i.test(stderr)) {
    return new AscKeyError(
      "keychain-failed",
      "No Secret Service is reachable; start gnome-keyring (or another Secret Service) in this session.",
    );
  }
  return new AscKeyError(
    "keychain-failed",
    `Could not ${action} the keyring item: secret-tool exited with status ${result.status}.`,
  );
}

const LOCKED_DBUS = /IsLocked|locked/i;
const GONE_DBUS = /Object does not exist|UnknownObject|NoSuchObject/i;
const NO_SERVICE_DBUS = /connect|ServiceUnknown|message bus/i;

/** A dbus-send failure worth one more try: not a locked keyring, not a missing Secret Service, not a gone item. */
function isTransient(stderr: string): boolean {
  return !LOCKED_DBUS.test(stderr) && !NO_SERVICE_DBUS.test(stderr) && !GONE_DBUS.test(stderr);
}

/**
 * dbus-send's error names are classified; its text is never repeated, only the error's name (a dotted identifier
 * such as org.freedesktop.DBus.Error.Failed), which says what went wrong.
 */
function dbusError(stderr: string, action: string): AscKeyError {
  if (LOCKED_DBUS.test(stderr)) return lockedError();
  if (NO_SERVICE_DBUS.test(stderr)) {
    return new AscKeyError(
      "keychain-failed",
      "No Secret Service is reachable; start gnome-keyring (or another Secret Service) in this session.",
    );
  }
  const name = /\b(?:org|com|net)(?:\.[A-Za-z][A-Za-z0-9_]*){2,8}\b/.exec(stderr)?.[0];
  return new AscKeyError(
    "keychain-failed",
    `Could not ${action} the keyring items through D-Bus (dbus-send failed${name ? `: ${name}` : ""}).`,
  );
}
