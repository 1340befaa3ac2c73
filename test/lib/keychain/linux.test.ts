import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AscKeyError } from "../../../src/lib/errors";
import { ACCOUNT, createKeyStore, createSecretToolBackend, LABEL } from "../../../src/lib/keychain";
import { serializeRecord } from "../../../src/lib/record";
import {
  clearDirectly,
  HAS_KEYRING,
  HAS_KEYTAR,
  loadKeytar,
  lookupDirectly,
  storeDirectly,
  testService,
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

const used: string[] = [];
afterEach(() => {
  if (HAS_KEYRING) for (const service of used.splice(0)) clearDirectly(service, ACCOUNT);
});

function service(name: string): string {
  const value = testService(name);
  used.push(value);
  return value;
}

describe("secret-tool backend without a keyring", () => {
  it("a missing secret-tool says to install libsecret-tools", async () => {
    const backend = createSecretToolBackend({ secretToolPath: path.join(scripts, "no-such-secret-tool") });
    const error = await rejection(backend.get("S", ACCOUNT));
    expect(error.code).toBe("keychain-tool-missing");
    expect(error.message).toContain("libsecret-tools");
  });

  it("a hung secret-tool times out", async () => {
    const backend = createSecretToolBackend({ secretToolPath: script("hang", "while :; do :; done"), timeoutMs: 300 });
    const error = await rejection(backend.set("S", ACCOUNT, LABEL, "secret"));
    expect(error.code).toBe("keychain-timeout");
    expect(error.message).toBe("Waited 0.3 s for the keyring (Secret Service); is an unlock prompt waiting for you?");
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

  it("keeps the secret byte for byte, trailing newline and UTF-8 included", async () => {
    const backend = createSecretToolBackend();
    const s = service("bytes");
    for (const secret of ["plain", "ends with a newline\n", '{\n  "note": "été ✓"\n}', "  spaced  "]) {
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
  const store = (name: string) => createKeyStore({ platform: "linux", service: service(name) });

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
