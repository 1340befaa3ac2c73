import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AscKeyError } from "../../../src/lib/errors";
import { ACCOUNT, createKeyStore, createSecretToolBackend, LABEL } from "../../../src/lib/keychain";
import {
  GENERIC_SCHEMA,
  INCOMPLETE_RECORD_STATUS,
  LOCKED_MESSAGE,
  SHELL,
  STORE_SCRIPT,
} from "../../../src/lib/keychain/linux";
import { serializeRecord } from "../../../src/lib/record";
import {
  clearDirectly,
  HAS_KEYRING,
  HAS_KEYTAR,
  itemPaths,
  loadKeytar,
  lookupDirectly,
  lookupWithSchema,
  startSecondKeyring,
  storeBareItem,
  storeDirectly,
  testService,
  type SecondKeyring,
} from "../../support/keyring";
import { makeRecord } from "../../support/keys";

async function rejection(promise: Promise<unknown>): Promise<AscKeyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AscKeyError);
    return error as AscKeyError;
  }
  throw new Error("expected a rejection");
}

/** Stand-in scripts for secret-tool, for what a healthy keyring will not do on demand. */
let scripts: string;
beforeAll(() => {
  scripts = mkdtempSync(path.join(tmpdir(), "lingcode-secret-tool-"));
});
afterAll(() => rmSync(scripts, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(scripts, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** Live processes whose arguments name this file. */
function processesRunning(file: string): number[] {
  return readdirSync("/proc")
    .filter((name) => {
      try {
        if (/\) [ZX] /.test(readFileSync(`/proc/${name}/stat`, "utf8"))) return false;
        return readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(file);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const used: string[] = [];
afterEach(() => {
  if (HAS_KEYRING) for (const service of used.splice(0)) clearDirectly(service, ACCOUNT);
});

function service(name: string): string {
  const value = testService(name);
  used.push(value);
  return value;
}

const store = (name: string) => createKeyStore({ platform: "linux", service: service(name) });

function keytarAttributes(s: string): string[] {
  return ["xdg:schema", GENERIC_SCHEMA, "service", s, "account", ACCOUNT];
}

/**
 * A service holding two items for asc-api-key: a bare one, then one with the schema beside it. gnome-keyring now
 * and then lets the second store replace the first; a fresh service is tried until there are two.
 */
function twoItems(name: string): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const s = service(name);
    storeDirectly(s, ACCOUNT, serializeRecord(makeRecord()), false);
    storeDirectly(s, ACCOUNT, serializeRecord(makeRecord()), true);
    if (itemPaths(s, ACCOUNT).length === 2) return s;
  }
  throw new Error("gnome-keyring never kept a bare item beside a keytar one");
}

describe("secret-tool backend without a keyring", () => {
  it("a missing secret-tool says to install libsecret-tools", async () => {
    const backend = createSecretToolBackend({ secretToolPath: path.join(scripts, "no-such-secret-tool") });
    const error = await rejection(backend.get("S", ACCOUNT));
    expect(error.code).toBe("keychain-tool-missing");
    expect(error.message).toContain("libsecret-tools");
  });

  it("a hung secret-tool times out, and is stopped with the shell that started it", async () => {
    const hang = script("hang", "while :; do :; done");
    const backend = createSecretToolBackend({
      secretToolPath: hang,
      dbusSendPath: path.join(scripts, "no-such-dbus-send"),
      timeoutMs: 300,
    });
    const error = await rejection(backend.set("S", ACCOUNT, LABEL, "secret"));
    expect(error.code).toBe("keychain-timeout");
    expect(error.message).toBe("Waited 300 ms for the keyring (Secret Service); is an unlock prompt waiting for you?");
    await vi.waitFor(() => expect(processesRunning(hang)).toEqual([]));
  });

  it("an argument the OS cannot take is an AscKeyError, not a crash", async () => {
    const error = await rejection(createSecretToolBackend().get("bad\u0000service", ACCOUNT));
    expect(error.code).toBe("keychain-failed");
  });

  it("classifies failures without repeating what the tool said", async () => {
    const locked = script("locked", 'echo "secret-tool: Cannot create an item in a locked collection" >&2; exit 1');
    const error = await rejection(createSecretToolBackend({ secretToolPath: locked }).set("S", "A", "L", "s3cr3t"));
    expect(error.code).toBe("keychain-locked");
    const noService = script(
      "nobus",
      'echo "secret-tool: The name org.freedesktop.secrets was not provided" >&2; exit 1',
    );
    const other = await rejection(createSecretToolBackend({ secretToolPath: noService }).get("S", "A"));
    expect(other.code).toBe("keychain-failed");
    expect(other.message).not.toContain("org.freedesktop");
  });
});

describe.skipIf(!HAS_KEYRING)("secret-tool backend against a private gnome-keyring", () => {
  it("never runs against the real LingCode service", () => {
    expect(process.env.LINGCODE_KEYCHAIN_SERVICE).toMatch(/^LingCode-test-/);
  });

  it("lists a service's accounts from secret-tool search, with no secret kept", async () => {
    const backend = createSecretToolBackend();
    const s = service("accounts");
    await backend.set(s, "key-ABC", LABEL, "one");
    await backend.set(s, "index", LABEL, "two");
    await backend.set(`${s} other`, "key-DEF", LABEL, "three");
    expect((await backend.accounts!(s)).sort()).toEqual(["index", "key-ABC"]);
    expect(await backend.accounts!(service("nothing-here"))).toEqual([]);
  });

  it("keeps a one-line secret byte for byte: UTF-8, spaces, quotes, backslashes and shell words included", async () => {
    const backend = createSecretToolBackend();
    const s = service("bytes");
    const secrets = [
      "plain",
      '{"note": "été ✓"}',
      "  spaced  ",
      `'%s\\n' $line "$@" \\ \\\\ \ttab`,
      "-n",
      "ends with CR\r",
    ];
    for (const secret of secrets) {
      await backend.set(s, ACCOUNT, LABEL, secret);
      expect(await backend.get(s, ACCOUNT)).toBe(secret);
      expect(lookupDirectly(s, ACCOUNT)).toBe(secret);
    }
  });

  it("absent: get gives undefined, delete gives false; present: delete gives true", async () => {
    const backend = createSecretToolBackend();
    const s = service("absent");
    expect(await backend.get(s, ACCOUNT)).toBeUndefined();
    expect(await backend.delete(s, ACCOUNT)).toBe(false);
    await backend.set(s, ACCOUNT, LABEL, "x");
    expect(await backend.delete(s, ACCOUNT)).toBe(true);
    expect(await backend.get(s, ACCOUNT)).toBeUndefined();
    expect(await backend.delete(s, ACCOUNT)).toBe(false);
  });

  it("keeps items of other accounts and services apart", async () => {
    const backend = createSecretToolBackend();
    const s = service("apart");
    await backend.set(s, ACCOUNT, LABEL, "mine");
    await backend.set(s, "other-account", LABEL, "theirs");
    expect(await backend.delete(s, ACCOUNT)).toBe(true);
    expect(await backend.get(s, "other-account")).toBe("theirs");
    clearDirectly(s, "other-account");
  });
});

describe.skipIf(!HAS_KEYRING)("key store on Linux against a private gnome-keyring", () => {
  it("writes, reads and removes a record", async () => {
    const s = store("roundtrip");
    const record = makeRecord();
    expect(await s.read()).toBeUndefined();
    expect(await s.remove()).toBe(false);
    await s.write(record);
    expect(await s.read()).toEqual(record);
    expect(lookupDirectly(s.service, ACCOUNT)).toBe(serializeRecord(record));
    expect(await s.remove()).toBe(true);
    expect(await s.read()).toBeUndefined();
    expect(await s.remove()).toBe(false);
  });

  it("reads LingCode's entry and the list of retired keys with one lookup each, at once, and no search", async () => {
    const log = path.join(scripts, "lookups.log");
    const counting = script("counting-secret-tool", `echo "$1" >> "${log}"\nexec secret-tool "$@"`);
    const s = createKeyStore({ platform: "linux", service: service("with-retired"), secretToolPath: counting });
    const record = makeRecord();
    await s.write(record);
    rmSync(log, { force: true });
    expect(await s.readWithRetired()).toEqual({ record, retired: [] });
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual(["lookup", "lookup"]);
    // Neither there: each is read as a lone read is, a search telling an empty keyring from a locked one.
    await s.remove();
    rmSync(log, { force: true });
    expect(await s.readWithRetired()).toEqual({ record: undefined, retired: [] });
    expect(readFileSync(log, "utf8").trim().split("\n").sort()).toEqual(["lookup", "lookup", "search", "search"]);
  });

  it("replaces a record", async () => {
    const s = store("replace");
    const second = makeRecord({ kind: "individual" });
    await s.write(makeRecord());
    await s.write(second);
    expect(await s.read()).toEqual(second);
  });

  it("a corrupt entry reads as record-corrupt, and a write replaces it", async () => {
    const s = store("corrupt");
    storeDirectly(s.service, ACCOUNT, "\u0000garbage{");
    const error = await rejection(s.read());
    expect(error.code).toBe("record-corrupt");
    expect(error.message).not.toContain("garbage");
    const record = makeRecord();
    await s.write(record);
    expect(await s.read()).toEqual(record);
  });

  it("tolerates extra fields", async () => {
    const s = store("extra");
    const record = makeRecord();
    storeDirectly(s.service, ACCOUNT, JSON.stringify({ ...record, device: "build-mac-2" }));
    expect(await s.read()).toEqual(record);
  });

  it("an item stored without the generic schema does not get in the way, and remove clears it too", async () => {
    const s = store("schemaless");
    storeDirectly(s.service, ACCOUNT, "bare secret-tool item", false);
    const record = makeRecord();
    await s.write(record);
    expect(await s.read()).toEqual(record);
    expect(await s.remove()).toBe(true);
    expect(await s.read()).toBeUndefined();
    expect(lookupDirectly(s.service, ACCOUNT)).toBeUndefined();
    expect(await s.remove()).toBe(false);
  });

  it("two concurrent writers leave one complete record", async () => {
    const s = store("concurrent");
    const a = makeRecord();
    const b = makeRecord({ kind: "individual" });
    const other = createKeyStore({ platform: "linux", service: s.service });
    const results = await Promise.allSettled([s.write(a), other.write(b)]);
    const stored = await s.read();
    expect([a, b]).toContainEqual(stored);
    const winner = [a, b].findIndex((r) => r.keyId === stored?.keyId);
    expect(results[winner].status).toBe("fulfilled");
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as AscKeyError).code).toBe("keychain-mismatch");
    }
  });

  it("a failed write leaves the old record as it was", async () => {
    const s = store("failed-write");
    const old = makeRecord();
    await s.write(old);
    const failing = script(
      "failing-store",
      '[ "$1" = store ] && { cat >/dev/null; echo "secret-tool: Cannot create an item in a locked collection" >&2; exit 1; }\nexec secret-tool "$@"',
    );
    const broken = createKeyStore({ platform: "linux", service: s.service, secretToolPath: failing });
    expect((await rejection(broken.write(makeRecord()))).code).toBe("keychain-locked");
    expect(await s.read()).toEqual(old);
  });

  it("a write that stores something else is never reported as saved", async () => {
    const s = store("mismatch");
    const mangling = script(
      "mangling-store",
      '[ "$1" = store ] && { head -c 50 | secret-tool "$@"; exit $?; }\nexec secret-tool "$@"',
    );
    const broken = createKeyStore({ platform: "linux", service: s.service, secretToolPath: mangling });
    expect((await rejection(broken.write(makeRecord()))).code).toBe("keychain-mismatch");
  });
});

describe("secret-tool backend: a record is stored whole or not at all", () => {
  it("refuses a secret with a newline or a NUL before starting any tool", async () => {
    const log = path.join(scripts, "refused.log");
    const logging = script("logging-tool", `echo "$1" >> '${log}'; exit 0`);
    const backend = createSecretToolBackend({ secretToolPath: logging, dbusSendPath: logging });
    for (const secret of ["two\nlines", "ends with a newline\n", "nul\u0000byte"]) {
      const error = await rejection(backend.set("S", ACCOUNT, LABEL, secret));
      expect(error.code).toBe("keychain-failed");
      expect(error.message).toBe(
        "The keyring entry must be one line of text without NUL characters; nothing was saved.",
      );
    }
    expect(existsSync(log)).toBe(false);
  });

  it.skipIf(!HAS_KEYRING)(
    "the store script starts secret-tool only once the whole line is in: a cut or empty stdin stores nothing",
    () => {
      const s = service("incomplete");
      const old = serializeRecord(makeRecord());
      storeDirectly(s, ACCOUNT, old);
      const record = serializeRecord(makeRecord({ kind: "individual" }));
      const store = (input: string) =>
        spawnSync(SHELL, ["-c", STORE_SCRIPT, "sh", "secret-tool", "store", "--label=x", ...keytarAttributes(s)], {
          input,
          encoding: "utf8",
          timeout: 20_000,
        }).status;
      // What stdin holds when the caller dies before, during or just before the end of its one write.
      for (const cut of ["", record.slice(0, 1), record.slice(0, record.length >> 1), record]) {
        expect(store(cut)).toBe(INCOMPLETE_RECORD_STATUS);
        expect(lookupDirectly(s, ACCOUNT)).toBe(old);
      }
      expect(store(`${record}\n`)).toBe(0);
      expect(lookupDirectly(s, ACCOUNT)).toBe(record);
    },
  );

  it("a store cut short is reported as not saved", async () => {
    // A shell standing in for /bin/sh's `read` meeting the end of stdin before the newline.
    const cut = script("cut-store", `[ "$1" = store ] && exit ${INCOMPLETE_RECORD_STATUS}; exit 0`);
    const backend = createSecretToolBackend({ secretToolPath: cut, dbusSendPath: path.join(scripts, "none") });
    const error = await rejection(backend.set("S", ACCOUNT, LABEL, "secret"));
    expect(error.code).toBe("keychain-failed");
    expect(error.message).toBe("The key did not reach the keyring tool in full; nothing was saved.");
  });
});

describe.skipIf(!HAS_KEYRING)("an item without keytar's schema attribute (a bare secret-tool store)", () => {
  it("is read, and a write replaces it: one item left, which keytar's lookup and a bare lookup both read", async () => {
    const old = makeRecord();
    const s = createKeyStore({
      platform: "linux",
      service: storeBareItem(() => service("bare-replaced"), ACCOUNT, serializeRecord(old)),
    });
    expect(await s.read()).toEqual(old);
    const record = makeRecord({ kind: "individual" });
    await s.write(record);
    expect(itemPaths(s.service, ACCOUNT)).toHaveLength(1);
    expect(lookupDirectly(s.service, ACCOUNT)).toBe(serializeRecord(record));
    expect(lookupWithSchema(s.service, ACCOUNT)).toBe(serializeRecord(record));
    expect(await s.read()).toEqual(record);
  });

  it("with a keytar item beside it: one item left after a write, holding the new record", async () => {
    const s = twoItems("bare-beside");
    const record = makeRecord({ kind: "individual" });
    await createKeyStore({ platform: "linux", service: s }).write(record);
    expect(itemPaths(s, ACCOUNT)).toHaveLength(1);
    expect(lookupDirectly(s, ACCOUNT)).toBe(serializeRecord(record));
    expect(lookupWithSchema(s, ACCOUNT)).toBe(serializeRecord(record));
  });

  it("a name dbus-send cannot pass is refused before anything is stored", async () => {
    const backend = createSecretToolBackend();
    const error = await rejection(backend.set(`${service("comma")},x`, ACCOUNT, LABEL, "secret"));
    expect(error.code).toBe("keychain-failed");
    expect(error.message).toContain("comma");
  });

  it("without dbus-send: a write that cannot remove the older item says so, and the new key is saved", async () => {
    const s = twoItems("no-dbus-send");
    const backend = createSecretToolBackend({ dbusSendPath: path.join(scripts, "no-such-dbus-send") });
    const error = await rejection(backend.set(s, ACCOUNT, LABEL, "new"));
    expect(error.code).toBe("keychain-failed");
    expect(error.message).toContain("dbus-send");
    expect(lookupWithSchema(s, ACCOUNT)).toBe("new");
    // With nothing else there, it needs no dbus-send.
    const alone = service("no-dbus-send-alone");
    await backend.set(alone, ACCOUNT, LABEL, "first");
    await backend.set(alone, ACCOUNT, LABEL, "second");
    expect(lookupDirectly(alone, ACCOUNT)).toBe("second");
  });
});

describe.skipIf(!HAS_KEYRING)('a locked keyring is never "no key"', () => {
  let keyring: SecondKeyring;
  beforeEach(async () => {
    keyring = await startSecondKeyring();
  });
  afterEach(async () => {
    await keyring.stop();
  });

  const backend = () => createSecretToolBackend({ env: keyring.env, timeoutMs: 20_000 });

  async function expectLocked(promise: Promise<unknown>) {
    const error = await rejection(promise);
    expect(error.code).toBe("keychain-locked");
    expect(error.message).toBe(LOCKED_MESSAGE);
  }

  it("locked: read, write and remove say the keyring is locked and what to do; the item stays", async () => {
    const s = testService("locked");
    await backend().set(s, ACCOUNT, LABEL, "saved");
    keyring.lock();
    await expectLocked(backend().get(s, ACCOUNT));
    await expectLocked(backend().set(s, ACCOUNT, LABEL, "new"));
    await expectLocked(backend().delete(s, ACCOUNT));
    expect(keyring.items(s, ACCOUNT)).toEqual({ unlocked: [], locked: [expect.any(String)] });
    // Nothing of ours in it: that is no key, locked or not.
    expect(await backend().get(testService("locked-absent"), ACCOUNT)).toBeUndefined();
  });

  it("locked: reading the entry with the list of retired keys says so too", async () => {
    const s = testService("locked-batch");
    const store = createKeyStore({ platform: "linux", service: s, backend: backend() });
    await store.write(makeRecord());
    keyring.lock();
    await expectLocked(store.readWithRetired());
  });

  it("the daemon restarted without unlocking: the same", async () => {
    const s = testService("restarted");
    const store = createKeyStore({ platform: "linux", service: s, backend: backend() });
    await store.write(makeRecord());
    await keyring.restartWithoutUnlocking();
    await expectLocked(store.read());
    await expectLocked(store.remove());
    expect(keyring.items(s, ACCOUNT).locked).toHaveLength(1);
  });
});

describe.skipIf(!HAS_KEYTAR)("keytar interop (the generic schema: service + account)", () => {
  it("keytar reads exactly what the store wrote", async () => {
    const keytar = loadKeytar();
    const s = createKeyStore({ platform: "linux", service: service("keytar-read") });
    const record = makeRecord();
    await s.write(record);
    expect(await keytar.getPassword(s.service, "asc-api-key")).toBe(serializeRecord(record));
  });

  it("the store reads what keytar wrote", async () => {
    const keytar = loadKeytar();
    const s = createKeyStore({ platform: "linux", service: service("keytar-write") });
    const record = makeRecord();
    await keytar.setPassword(s.service, "asc-api-key", serializeRecord(record));
    expect(await s.read()).toEqual(record);
    expect(await s.remove()).toBe(true);
    expect(await keytar.getPassword(s.service, "asc-api-key")).toBeNull();
  });
});

describe.skipIf(!HAS_KEYRING)("dbus-send failing now and then", () => {
  const realDbusSend = spawnSync("sh", ["-c", "command -v dbus-send"], { encoding: "utf8" }).stdout.trim();

  /** A dbus-send that fails `times` times with `stderr`, then runs the real one; each call is logged. */
  function flakyDbusSend(name: string, times: number, stderr: string) {
    const log = path.join(scripts, `${name}.log`);
    const file = script(
      name,
      [
        `n=$(cat '${log}' 2>/dev/null | wc -l); echo call >> '${log}'`,
        `if [ "$n" -lt ${times} ]; then printf '%s\\n' '${stderr}' >&2; exit 1; fi`,
        `exec '${realDbusSend}' "$@"`,
      ].join("\n"),
    );
    return { file, calls: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0) };
  }

  it("an unexplained failure is tried once more: the save goes through", async () => {
    const s = service("dbus-once");
    storeDirectly(s, ACCOUNT, serializeRecord(makeRecord()));
    const dbus = flakyDbusSend("dbus-once", 1, "Error org.freedesktop.DBus.Error.Failed: not now");
    const backend = createSecretToolBackend({ dbusSendPath: dbus.file });
    const text = serializeRecord(makeRecord({ kind: "individual" }));
    await backend.set(s, ACCOUNT, LABEL, text);
    expect(lookupDirectly(s, ACCOUNT)).toBe(text);
    expect(dbus.calls()).toBeGreaterThanOrEqual(2);
  });

  it("failing again: one line naming the D-Bus error, never its text; nothing saved", async () => {
    const s = service("dbus-always");
    const old = serializeRecord(makeRecord());
    storeDirectly(s, ACCOUNT, old);
    const dbus = flakyDbusSend("dbus-always", 99, "Error org.freedesktop.DBus.Error.Failed: \u001b[31mraw text");
    const backend = createSecretToolBackend({ dbusSendPath: dbus.file });
    const error = await rejection(backend.set(s, ACCOUNT, LABEL, serializeRecord(makeRecord())));
    expect(error.message).toBe(
      "Could not list the keyring items through D-Bus (dbus-send failed: org.freedesktop.DBus.Error.Failed).",
    );
    expect(dbus.calls()).toBe(2);
    expect(lookupDirectly(s, ACCOUNT)).toBe(old);
  });

  it("a locked keyring is not tried again", async () => {
    const s = service("dbus-locked");
    const dbus = flakyDbusSend(
      "dbus-locked",
      99,
      "Error org.freedesktop.Secret.Error.IsLocked: Cannot search a locked collection",
    );
    const backend = createSecretToolBackend({ dbusSendPath: dbus.file });
    expect((await rejection(backend.set(s, ACCOUNT, LABEL, "{}"))).code).toBe("keychain-locked");
    expect(dbus.calls()).toBe(1);
  });
});
