import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AscKeyError, type ErrorCode } from "../../../src/lib/errors";
import {
  ACCOUNT,
  createKeyStore,
  createSecurityBackend,
  DEFAULT_SERVICE,
  LABEL,
  type SecretBackend,
} from "../../../src/lib/keychain";
import {
  addGenericPasswordLine,
  decodeFindOutput,
  MAX_COMMAND_LINE,
  parseDump,
  refusedUpdate,
  readPair,
} from "../../../src/lib/keychain/macos";
import { serializeRecord, type KeyRecord } from "../../../src/lib/record";
import { makeRecord } from "../../support/keys";
import { endOf, spawned } from "../../support/spawns";

// Every process the backends start is recorded (test/support/spawns.ts): to see how a run of the tool ended.
vi.mock("node:child_process", async (original) => (await import("../../support/spawns")).recordingSpawns(original));

const FAKE = path.resolve("test/support/fake-security.mjs");
const SERVICE = "LingCode-test-macos";

interface Run {
  argv: string[];
  stdin: string;
}

/** One throwaway stand-in for /usr/bin/security: its log, its items, its faults. */
class FakeSecurity {
  readonly dir = mkdtempSync(path.join(tmpdir(), "lingcode-fake-security-"));
  readonly log = path.join(this.dir, "log.jsonl");
  readonly items = path.join(this.dir, "items.json");
  fault: object | undefined;

  backend(options: { timeoutMs?: number; keychainFile?: string; securityPath?: string } = {}): SecretBackend {
    return createSecurityBackend({
      securityPath: options.securityPath ?? FAKE,
      keychainFile: options.keychainFile,
      timeoutMs: options.timeoutMs ?? 20_000,
      env: this.env(),
    });
  }

  store(options: { timeoutMs?: number; keychainFile?: string } = {}) {
    return createKeyStore({ service: SERVICE, backend: this.backend(options) });
  }

  env(): NodeJS.ProcessEnv {
    return {
      FAKE_SECURITY_LOG: this.log,
      FAKE_SECURITY_STORE: this.items,
      FAKE_SECURITY_FAULT: this.fault ? JSON.stringify(this.fault) : "",
    };
  }

  runs(): Run[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Run);
  }

  /** A throwaway keychain file, made by the stand-in's create-keychain as the darwin tests make one. */
  makeKeychain(name = "throwaway.keychain-db"): string {
    const file = path.join(this.dir, name);
    expect(this.run(["create-keychain", "-p", "pw", file]).status).toBe(0);
    return file;
  }

  /** Runs the stand-in itself, as the backend would. */
  run(argv: string[], input?: string) {
    return spawnSync(FAKE, argv, { input, env: { ...process.env, ...this.env() }, encoding: "utf8" });
  }

  /** Puts items in the stand-in's store as they are (other apps' items, other classes, other keychains). */
  plant(items: object[]) {
    writeFileSync(this.items, JSON.stringify({ items: [...this.storedItems(), ...items] }));
  }

  storedItems(): { keychain: string; service: string; account: string; label: string; data: string }[] {
    return existsSync(this.items) ? JSON.parse(readFileSync(this.items, "utf8")).items : [];
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function rejection(promise: Promise<unknown>): Promise<AscKeyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AscKeyError);
    return error as AscKeyError;
  }
  throw new Error("expected a rejection");
}

const hex = (text: string) => Buffer.from(text, "utf8").toString("hex");

/** Parts of the secret that must never show up on argv or in a message. */
function secretParts(record: KeyRecord): string[] {
  const body = record.privateKey.split("\n").filter((line) => line && !line.startsWith("-----"));
  const text = serializeRecord(record);
  return [...body, hex(text).slice(0, 64), hex(record.privateKey).slice(0, 64)];
}

let fake: FakeSecurity;

beforeAll(() => chmodSync(FAKE, 0o755));
beforeEach(() => {
  fake = new FakeSecurity();
});
afterEach(() => {
  fake.cleanup();
  vi.unstubAllEnvs();
});

describe("macOS backend: how it talks to security", () => {
  it("writes through one stdin line of `security -i`, with nothing secret on argv, then reads back", async () => {
    const record = makeRecord();
    await fake.store().write(record);

    const runs = fake.runs();
    expect(runs.map((run) => run.argv[0])).toEqual(["-i", "find-generic-password"]);
    expect(runs[0].argv).toEqual(["-i"]);
    expect(runs[0].stdin).toBe(
      `add-generic-password -U -s "${SERVICE}" -a "${ACCOUNT}" -l "${LABEL}" -X "${hex(serializeRecord(record))}"\n`,
    );
    expect(runs[1].argv).toEqual(["find-generic-password", "-s", SERVICE, "-a", ACCOUNT, "-w"]);
    expect(runs[1].stdin).toBe("");
    for (const run of runs) {
      for (const part of secretParts(record)) expect(run.argv.join(" ")).not.toContain(part);
      expect(run.argv).not.toContain("-v");
    }
    expect(runs[0].stdin).not.toMatch(/ -[TA] /);
  });

  it("lists a service's accounts through dump-keychain, without -d (no secret) and without a prompt", async () => {
    const backend = fake.backend();
    await backend.set(SERVICE, "key-ABC", "a label", '{"secret":1}');
    await backend.set(SERVICE, "key-x2d", "l é", "x");
    await backend.set(`${SERVICE} other`, "key-DEF", "l", "y");
    expect((await backend.accounts!(SERVICE)).sort()).toEqual(["key-ABC", "key-x2d"]);
    const dumps = fake.runs().filter((run) => run.argv[0] === "dump-keychain");
    expect(dumps.map((run) => run.argv)).toEqual([["dump-keychain"]]);
  });

  it("reads dump-keychain's two value forms: quoted printable ASCII, and hex when any byte is not", () => {
    const out = [
      'keychain: "/Users/u/Library/Keychains/login.keychain-db"',
      "version: 512",
      'class: "genp"',
      "attributes:",
      '    0x00000007 <blob>="label"',
      '    "acct"<blob>=0x6B65792D41C3A9  "key-A\\303\\251"',
      '    "svce"<blob>="S Saved Keys"',
      'keychain: "/Users/u/Library/Keychains/login.keychain-db"',
      'class: "inet"',
      "attributes:",
      '    "acct"<blob>="other"',
      '    "svce"<blob>="S Saved Keys"',
      "",
    ].join("\n");
    const items = parseDump(out);
    expect(items.map((item) => [item.class, item.acct, item.svce])).toEqual([
      ["genp", "key-Aé", "S Saved Keys"],
      ["inet", "other", "S Saved Keys"],
    ]);
  });

  it("reads what it wrote and removes it", async () => {
    const store = fake.store();
    const record = makeRecord();
    expect(await store.read()).toBeUndefined();
    await store.write(record);
    expect(await store.read()).toEqual(record);
    expect(await store.readRaw()).toBe(serializeRecord(record));
    expect(await store.remove()).toBe(true);
    expect(await store.read()).toBeUndefined();
    expect(await store.remove()).toBe(false);
    expect(fake.runs().at(-1)?.argv).toEqual(["delete-generic-password", "-s", SERVICE, "-a", ACCOUNT]);
  });

  it("replaces the record in place: one item, the new record", async () => {
    const store = fake.store();
    const first = makeRecord();
    const second = makeRecord({ kind: "individual" });
    await store.write(first);
    await store.write(second);
    expect(await store.read()).toEqual(second);
    expect(fake.storedItems()).toHaveLength(1);
  });

  it("refuses an oversized record before spawning anything", async () => {
    const record = makeRecord({ privateKey: "x".repeat(2000) });
    const error = await rejection(fake.store().write(record));
    expect(error.code).toBe("keychain-too-long");
    expect(error.message).toContain(String(MAX_COMMAND_LINE));
    expect(fake.runs()).toEqual([]);
  });

  describe("the MAX_COMMAND_LINE guard, at its edge", () => {
    /** The `-i` line as the first test spells it out, without its "\n"; built here, not by the code under test. */
    const expectedLine = (service: string, account: string, label: string, secret: string) =>
      `add-generic-password -U -s "${service}" -a "${account}" -l "${label}" -X "${hex(secret)}"`;

    it("addGenericPasswordLine: exactly MAX_COMMAND_LINE bytes is returned, one more is refused", () => {
      const secret = serializeRecord(makeRecord());
      const base = expectedLine("S", "A", "", secret).length;
      const label = (extra: number) => "L".repeat(MAX_COMMAND_LINE - base + extra);

      const atLimit = addGenericPasswordLine("S", "A", label(0), secret);
      expect(atLimit).toBe(`${expectedLine("S", "A", label(0), secret)}\n`);
      expect(Buffer.byteLength(atLimit, "utf8")).toBe(MAX_COMMAND_LINE + 1);

      expect(() => addGenericPasswordLine("S", "A", label(1), secret)).toThrow(
        expect.objectContaining({
          code: "keychain-too-long",
          message: `The key entry is too long for the Keychain tool (${MAX_COMMAND_LINE + 1} characters on its input line, at most ${MAX_COMMAND_LINE}); nothing was saved.`,
        }),
      );
    });

    it("addGenericPasswordLine counts UTF-8 bytes, which is what the tool reads", () => {
      const secret = "x";
      const base = expectedLine("S", "A", "", secret).length;
      // MAX_COMMAND_LINE characters, one of them two bytes long: MAX_COMMAND_LINE + 1 bytes.
      const label = "é" + "L".repeat(MAX_COMMAND_LINE - base - 1);
      expect(expectedLine("S", "A", label, secret).length).toBe(MAX_COMMAND_LINE);
      expect(() => addGenericPasswordLine("S", "A", label, secret)).toThrow(
        expect.objectContaining({ code: "keychain-too-long" }),
      );
      // One "L" fewer: MAX_COMMAND_LINE bytes, sent (with its "\n").
      expect(Buffer.byteLength(addGenericPasswordLine("S", "A", label.slice(0, -1), secret))).toBe(
        MAX_COMMAND_LINE + 1,
      );
    });

    it("through the store: a record whose line is exactly MAX_COMMAND_LINE is saved; one byte more never spawns", async () => {
      const record = makeRecord();
      const text = serializeRecord(record);
      const base = expectedLine("", ACCOUNT, LABEL, text).length;
      const service = (extra: number) =>
        `${SERVICE}-${"s".repeat(MAX_COMMAND_LINE - base - SERVICE.length - 1 + extra)}`;
      expect(expectedLine(service(0), ACCOUNT, LABEL, text)).toHaveLength(MAX_COMMAND_LINE);

      const refused = await rejection(createKeyStore({ service: service(1), backend: fake.backend() }).write(record));
      expect(refused.code).toBe("keychain-too-long");
      expect(refused.message).toContain(`${MAX_COMMAND_LINE + 1} characters`);
      expect(fake.runs()).toEqual([]);

      const store = createKeyStore({ service: service(0), backend: fake.backend() });
      await store.write(record);
      const [add] = fake.runs();
      expect(add.argv).toEqual(["-i"]);
      expect(add.stdin).toBe(`${expectedLine(service(0), ACCOUNT, LABEL, text)}\n`);
      expect(Buffer.byteLength(add.stdin, "utf8")).toBe(MAX_COMMAND_LINE + 1);
      // The stand-in reads lines the way the real tool does: nothing was cut, the record reads back whole.
      expect(await store.read()).toEqual(record);
      expect(fake.storedItems().map((item) => item.service)).toEqual([service(0)]);
    });
  });

  it("the real tool would cut a line past 4094 characters and run the rest: which is why the limit exists", async () => {
    // Straight to the stand-in, bypassing the guard: the cut secret is stored and the remainder echoed.
    const { spawnSync } = await import("node:child_process");
    const longHex = "ab".repeat(2100);
    const result = spawnSync(FAKE, ["-i"], {
      input: `add-generic-password -U -s "S" -a "A" -l "L" -X "${longHex}"\n`,
      env: { ...process.env, ...fake.env() },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown command");
    // The stored secret is the cut hex, decoded: shorter than what was sent, and no error said so for it.
    expect(fake.storedItems()[0].data.length).toBeLessThan(longHex.length);
  });

  it("refuses names that could break out of their quotes, before spawning", async () => {
    for (const bad of ['Ling"Code', "Ling\\Code", "Ling\nCode", ""]) {
      const store = createKeyStore({ service: bad, backend: fake.backend() });
      expect((await rejection(store.write(makeRecord()))).code).toBe("keychain-failed");
      expect((await rejection(store.read())).code).toBe("keychain-failed");
    }
    expect(fake.runs()).toEqual([]);
    expect(() => addGenericPasswordLine("S", "A", 'a" -A "', "secret")).toThrow(AscKeyError);
  });

  it("passes a keychain file as the trailing argument everywhere", async () => {
    const keychainFile = fake.makeKeychain();
    const made = fake.runs().length;
    const store = fake.store({ keychainFile });
    const record = makeRecord();
    await store.write(record);
    expect(await store.read()).toEqual(record);
    expect(await store.remove()).toBe(true);
    const runs = fake.runs().slice(made);
    expect(runs[0].stdin.endsWith(` "${keychainFile}"\n`)).toBe(true);
    for (const run of runs.slice(1)) expect(run.argv.at(-1)).toBe(keychainFile);
    expect(fake.storedItems()).toEqual([]);
  });

  it("reports a missing keychain file, which the tool itself reports as no item (44) for find and delete", async () => {
    const absent = path.join(fake.dir, "absent.keychain-db");
    expect(fake.run(["find-generic-password", "-s", SERVICE, "-a", ACCOUNT, "-w", absent]).status).toBe(44);
    expect(fake.run(["delete-generic-password", "-s", SERVICE, "-a", ACCOUNT, absent]).status).toBe(44);
    const store = fake.store({ keychainFile: absent });
    const actions = [() => store.write(makeRecord()), store.read, store.remove, store.saved.itemKeyIds];
    for (const action of actions) {
      const error = await rejection(action());
      expect(error.code).toBe("keychain-no-such-keychain");
      expect(error.message).toBe(
        `The keychain file ${absent} does not exist, so no key can be found in it; check the keychain file setting.`,
      );
    }
  });

  it("a keychain file that is not a keychain, or cannot be read, is said so instead of no key", async () => {
    const notKeychain = path.join(fake.dir, "notes.txt");
    writeFileSync(notKeychain, "hello");
    const store = fake.store({ keychainFile: notKeychain });
    expect(fake.run(["find-generic-password", "-s", SERVICE, "-a", ACCOUNT, "-w", notKeychain]).status).toBe(44);
    const error = await rejection(store.read());
    expect(error.code).toBe("keychain-unreadable");
    expect(error.message).toBe(
      `The file ${notKeychain} is not a keychain, so the Keychain tool could not look in it; check the keychain file setting.`,
    );
    expect((await rejection(store.remove())).code).toBe("keychain-unreadable");
    expect((await rejection(fake.store({ keychainFile: fake.dir }).read())).message).toContain("is a folder");

    const locked = fake.makeKeychain("locked.keychain-db");
    chmodSync(locked, 0o000);
    try {
      // root reads any file: the check has nothing to see there.
      if (process.getuid?.() !== 0) {
        const unreadable = await rejection(fake.store({ keychainFile: locked }).read());
        expect(unreadable.code).toBe("keychain-unreadable");
        expect(unreadable.message).toContain("cannot be read");
      }
    } finally {
      chmodSync(locked, 0o600);
    }
    // A keychain file that is fine and holds no item: no key, as before.
    expect(await fake.store({ keychainFile: fake.makeKeychain("empty.keychain-db") }).read()).toBeUndefined();
  });
});

describe("macOS backend: two reads in one run", () => {
  it("reads LingCode's entry and the list of retired keys in one `security -i` run, nothing on argv", async () => {
    const record = makeRecord();
    const store = fake.store();
    await store.write(record);
    const before = fake.runs().length;

    expect(await store.readWithRetired()).toEqual({ record, retired: [] });

    const runs = fake.runs().slice(before);
    expect(runs.map((run) => run.argv)).toEqual([["-i"]]);
    expect(runs[0].stdin).toBe(
      `find-generic-password -s "${SERVICE}" -a "${ACCOUNT}" -w\n` +
        `find-generic-password -s "${SERVICE} Saved Keys" -a "retired" -w\n`,
    );
  });

  it("tells which of the two was found, whichever it is, and decodes each", async () => {
    const backend = fake.backend();
    await backend.set(SERVICE, "a", "l", "first é");
    await backend.set(SERVICE, "b", "l", '{"second":1}');
    const item = (account: string) => ({ service: SERVICE, account });
    expect(await backend.getMany!([item("a"), item("b")])).toEqual(["first é", '{"second":1}']);
    expect(await backend.getMany!([item("a"), item("none")])).toEqual(["first é", undefined]);
    expect(await backend.getMany!([item("none"), item("b")])).toEqual([undefined, '{"second":1}']);
    expect(await backend.getMany!([item("none"), item("nothing")])).toEqual([undefined, undefined]);
    // Three items: a pair, then one alone.
    const before = fake.runs().length;
    expect(await backend.getMany!([item("b"), item("none"), item("a")])).toEqual([
      '{"second":1}',
      undefined,
      "first é",
    ]);
    expect(
      fake
        .runs()
        .slice(before)
        .map((run) => run.argv[0]),
    ).toEqual(["-i", "find-generic-password"]);
  });

  it("a locked Keychain fails the batched read as it fails a read", async () => {
    // As the tool does it: the search sees the item, reading its content is what a locked keychain refuses.
    await fake.store().write(makeRecord());
    fake.fault = { command: "find-generic-password", status: 36 };
    const error = await rejection(fake.store().readWithRetired());
    expect(error.code).toBe("keychain-locked");
  });

  it("readPair: the exit status says how the second ended, the `returned` lines whether the first failed", () => {
    const run = (status: number, stdout: string, ...failures: number[]) => ({
      status,
      stdout,
      stderr: failures.map((code) => `security: x: y\nfind-generic-password: returned ${code}\n`).join(""),
    });
    expect(readPair(run(0, "A\nB\n"))).toEqual(["A", "B"]);
    expect(readPair(run(44, "A\n", -25300))).toEqual(["A", undefined]);
    expect(readPair(run(0, "B\n", -25300))).toEqual([undefined, "B"]);
    expect(readPair(run(44, "", -25300, -25300))).toEqual([undefined, undefined]);
    expect(() => readPair(run(0, "B\n", -25308))).toThrow(expect.objectContaining({ code: "keychain-locked" }));
    expect(() => readPair(run(36, "A\n", -25308))).toThrow(expect.objectContaining({ code: "keychain-locked" }));
    // An answer that does not add up is refused, never guessed.
    expect(() => readPair(run(0, "A\n"))).toThrow(expect.objectContaining({ code: "keychain-failed" }));
    expect(() => readPair(run(44, "A\nB\n", -25300))).toThrow(expect.objectContaining({ code: "keychain-failed" }));
  });
});

describe("macOS backend: exit statuses", () => {
  const cases: [number, ErrorCode][] = [
    [36, "keychain-locked"],
    [51, "keychain-denied"],
    [128, "keychain-cancelled"],
    [50, "keychain-no-such-keychain"],
    [45, "keychain-failed"],
    [1, "keychain-failed"],
    [2, "keychain-failed"],
  ];

  it.each(cases)(
    "status %i → %s for write, read and remove, with a one-line message free of the secret",
    async (status, code) => {
      const store = fake.store();
      const record = makeRecord();
      await store.write(record);

      for (const command of ["add-generic-password", "find-generic-password", "delete-generic-password"]) {
        fake.fault = { command, status };
        const faulty = fake.store();
        const action =
          command === "add-generic-password"
            ? faulty.write(makeRecord())
            : command === "find-generic-password"
              ? faulty.read()
              : faulty.remove();
        const error = await rejection(action);
        expect(error.code).toBe(code);
        expect(error.message).not.toMatch(/[\r\n]/);
        for (const part of secretParts(record)) expect(error.message).not.toContain(part);
        if (code === "keychain-failed") expect(error.message).toContain(`status ${status}`);
      }
      fake.fault = undefined;
      expect(await fake.store().read()).toEqual(record);
    },
  );

  it("36 (locked, no way to ask): says the Keychain is locked and what to do", async () => {
    // The search sees the item (its attributes need no unlock); reading its content fails.
    await fake.store().write(makeRecord());
    fake.fault = { command: "find-generic-password", status: 36 };
    const error = await rejection(fake.store().read());
    expect(error.message).toBe(
      "The Keychain is locked and cannot ask to be unlocked (no GUI session, for example over SSH): unlock it (log in at the Mac, or run security unlock-keychain) and try again.",
    );
  });

  it("says which OSStatus the tool reported, as extra information", async () => {
    fake.fault = { command: "add-generic-password", status: 45 };
    const error = await rejection(fake.store().write(makeRecord()));
    expect(error.message).toContain("OSStatus -25299");
  });

  it("44: read gives undefined, remove gives false", async () => {
    const store = fake.store();
    expect(await store.read()).toBeUndefined();
    expect(await store.remove()).toBe(false);
    fake.fault = { command: "find-generic-password", status: 44 };
    expect(await fake.store().read()).toBeUndefined();
  });

  it("a hung tool times out with a sentence about the unlock dialog, and is killed", async () => {
    fake.fault = { command: "*", hang: true };
    spawned.length = 0;
    const error = await rejection(fake.store({ timeoutMs: 400 }).read());
    expect(error.code).toBe("keychain-timeout");
    expect(error.message).toBe("Waited 400 ms for the Keychain; is an unlock dialog waiting for you?");
    // One run of the tool, which never ends by itself: the answer came from the timeout, which killed it.
    expect(spawned).toHaveLength(1);
    expect(await endOf(spawned[0])).toBe("SIGKILL");
  });

  it("a missing tool is keychain-tool-missing", async () => {
    const store = createKeyStore({
      service: SERVICE,
      backend: fake.backend({ securityPath: path.join(fake.dir, "no-such-security") }),
    });
    expect((await rejection(store.read())).code).toBe("keychain-tool-missing");
    expect((await rejection(store.write(makeRecord()))).code).toBe("keychain-tool-missing");
    expect((await rejection(store.remove())).code).toBe("keychain-tool-missing");
  });
});

describe("macOS backend: what comes back", () => {
  it("decodes a secret the tool prints as hex (any byte outside printable ASCII)", async () => {
    const backend = fake.backend();
    const secret = '{\n  "note": "été"\n}';
    await backend.set(SERVICE, ACCOUNT, LABEL, secret);
    const { spawnSync } = await import("node:child_process");
    const printed = spawnSync(FAKE, ["find-generic-password", "-s", SERVICE, "-a", ACCOUNT, "-w"], {
      env: { ...process.env, ...fake.env() },
      encoding: "utf8",
    }).stdout;
    expect(printed).toBe(`${hex(secret)}\n`);
    expect(await backend.get(SERVICE, ACCOUNT)).toBe(secret);
  });

  it("reads a pretty-printed record another client stored (hex on the way back)", async () => {
    const record = makeRecord();
    await fake.backend().set(SERVICE, ACCOUNT, LABEL, JSON.stringify(record, null, 2));
    expect(await fake.store().read()).toEqual(record);
  });

  it("decodeFindOutput: hex pairs are decoded, JSON is kept, one trailing newline is dropped", () => {
    expect(decodeFindOutput(`${hex("{\n}")}\n`)).toBe("{\n}");
    expect(decodeFindOutput('{"a":1}\n')).toBe('{"a":1}');
    expect(decodeFindOutput("{}\n\n")).toBe("{}\n");
    expect(decodeFindOutput("abc\n")).toBe("abc");
    expect(decodeFindOutput("\n")).toBe("");
  });
});

describe("macOS store semantics", () => {
  it("a failed write leaves the old record as it was", async () => {
    const old = makeRecord();
    await fake.store().write(old);
    fake.fault = { command: "add-generic-password", status: 51 };
    expect((await rejection(fake.store().write(makeRecord()))).code).toBe("keychain-denied");
    fake.fault = { command: "add-generic-password", modify: "deny" };
    expect((await rejection(fake.store().write(makeRecord()))).code).toBe("keychain-update-denied");
    fake.fault = undefined;
    expect(await fake.store().read()).toEqual(old);
  });

  it("a write that stores something else is never reported as saved", async () => {
    fake.fault = { command: "add-generic-password", truncate: 100 };
    const error = await rejection(fake.store().write(makeRecord()));
    expect(error.code).toBe("keychain-mismatch");
  });

  it("a corrupt entry reads as record-corrupt, and a write replaces it", async () => {
    const backend = fake.backend();
    await backend.set(SERVICE, ACCOUNT, LABEL, "not json at all");
    const store = fake.store();
    const error = await rejection(store.read());
    expect(error.code).toBe("record-corrupt");
    expect(error.message).toContain("not JSON");
    const record = makeRecord();
    await store.write(record);
    expect(await store.read()).toEqual(record);
  });

  it("tolerates extra fields", async () => {
    const record = makeRecord();
    await fake.backend().set(SERVICE, ACCOUNT, LABEL, JSON.stringify({ ...record, addedBy: "LingCode 2.0" }));
    expect(await fake.store().read()).toEqual(record);
  });

  it("a caller that dies before the line's newline stores nothing: security -i drops a last line without one", async () => {
    // What `security -i` reads when the caller is killed before, during or right at the end of its one write: a
    // prefix of the command line, then the end of stdin. The tool runs a line only once its "\n" has arrived.
    const old = makeRecord();
    await fake.store().write(old);
    const line = addGenericPasswordLine(SERVICE, ACCOUNT, LABEL, serializeRecord(makeRecord({ kind: "individual" })));
    const body = line.slice(0, -1);
    for (const cut of ["", body.slice(0, 20), body.slice(0, body.length >> 1), body.slice(0, -1), body]) {
      const run = spawnSync(FAKE, ["-i"], { input: cut, env: { ...process.env, ...fake.env() }, encoding: "utf8" });
      expect(run.status).toBe(0);
      expect(await fake.store().read()).toEqual(old);
    }
    expect(fake.storedItems()).toHaveLength(1);
    // The whole line, newline included, is run.
    expect(spawnSync(FAKE, ["-i"], { input: line, env: { ...process.env, ...fake.env() } }).status).toBe(0);
    expect((await fake.store().read())?.kind).toBe("individual");
  });

  it("two concurrent writers leave one complete record", async () => {
    const a = makeRecord();
    const b = makeRecord({ kind: "individual" });
    const results = await Promise.allSettled([fake.store().write(a), fake.store().write(b)]);
    const stored = await fake.store().read();
    expect([a, b]).toContainEqual(stored);
    const winner = stored === undefined ? -1 : [a, b].findIndex((r) => r.keyId === stored.keyId);
    expect(results[winner].status).toBe("fulfilled");
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as AscKeyError).code).toBe("keychain-mismatch");
    }
    expect(fake.storedItems()).toHaveLength(1);
  });
});

describe("createKeyStore", () => {
  it("uses the service it is given, account asc-api-key, and reads no environment", () => {
    vi.stubEnv("LINGCODE_KEYCHAIN_SERVICE", "LingCode-other");
    const store = createKeyStore({ platform: "darwin", service: DEFAULT_SERVICE });
    expect([store.service, store.account]).toEqual(["LingCode", "asc-api-key"]);
    expect(createKeyStore({ platform: "darwin", service: "X" }).service).toBe("X");
  });

  it("picks security on darwin (path injectable)", async () => {
    vi.stubEnv("FAKE_SECURITY_LOG", fake.log);
    vi.stubEnv("FAKE_SECURITY_STORE", fake.items);
    vi.stubEnv("FAKE_SECURITY_FAULT", "");
    const store = createKeyStore({ platform: "darwin", service: SERVICE, securityPath: FAKE });
    const record = makeRecord();
    await store.write(record);
    expect(await store.read()).toEqual(record);
    expect(fake.runs()[0].argv).toEqual(["-i"]);
  });

  it("refuses a platform with no key store", () => {
    expect(() => createKeyStore({ platform: "win32", service: "X" })).toThrow(
      expect.objectContaining({ code: "keychain-tool-missing" }),
    );
  });
});

describe("macOS backend: a write over an existing item that macOS refused", () => {
  const cases: [string | number, ErrorCode, string][] = [
    [
      "deny",
      "keychain-update-denied",
      "The Keychain dialog asking to change the saved item was denied or dismissed, so nothing was changed: run it again and choose Allow or Always Allow.",
    ],
    [
      "no-interaction",
      "keychain-update-unconfirmable",
      "Changing the saved Keychain item needs a confirmation that cannot be shown here (no GUI session, for example over SSH), so nothing was changed: run it at the Mac, or unlock the keychain first (security unlock-keychain).",
    ],
    [
      -25293,
      "keychain-update-refused",
      "The Keychain refused to change the saved item (The user name or passphrase you entered is not correct.), so nothing was changed.",
    ],
  ];

  it.each(cases)(
    "modify refused (%s) → %s, never a duplicate; the saved record survives",
    async (modify, code, text) => {
      const old = makeRecord();
      await fake.store().write(old);
      fake.fault = { command: "add-generic-password", modify };
      const error = await rejection(fake.store().write(makeRecord({ kind: "individual" })));
      expect(error.code).toBe(code);
      expect(error.message).toBe(text);
      expect(error.message).not.toMatch(/45|25299|duplicate|already exists/);
      fake.fault = undefined;
      expect(await fake.store().read()).toEqual(old);
      expect(fake.storedItems()).toHaveLength(1);
    },
  );

  it("the tool itself exits 45 (duplicate) with the refusal only on stderr, as Apple's keychain_add.c does", () => {
    fake.plant([{ keychain: "login.keychain-db", service: "S", account: "A", label: "L", data: "7b7d" }]);
    fake.fault = { command: "add-generic-password", modify: "deny" };
    const result = fake.run(["-i"], 'add-generic-password -U -s "S" -a "A" -l "L" -X "7b7e"\n');
    expect(result.status).toBe(45);
    expect(result.stderr).toBe(
      [
        "security: SecKeychainItemModifyContent: User canceled the operation.",
        "security: SecKeychainItemCreateFromContent (<default>): The specified item already exists in the keychain.",
        "add-generic-password: returned -25299",
        "",
      ].join("\n"),
    );
    expect(fake.storedItems()[0].data).toBe("7b7d");
  });

  it("reads the refusal's reason as printable text, whatever it holds", async () => {
    const error = refusedUpdate("security: SecKeychainItemModifyContent: odd \u001b[31mreason\u0007\n");
    expect(error?.code).toBe("keychain-update-refused");
    expect(error?.message).toBe(
      "The Keychain refused to change the saved item (odd \\x1b[31mreason\\x07), so nothing was changed.",
    );
    expect(refusedUpdate("security: SecKeychainItemCreateFromContent (<default>): already exists\n")).toBeUndefined();
  });
});

describe("the stand-in follows Apple's SecurityTool source", () => {
  const find = (...args: string[]) => fake.run(["find-generic-password", "-s", "S", "-a", "A", ...args]);
  const item = (data: string, extra: object = {}) => ({
    keychain: "login.keychain-db",
    service: "S",
    account: "A",
    label: "L",
    data,
    ...extra,
  });

  it("print_buffer: a value only in hex ends with one space; a mixed one has hex, two spaces, then the string", () => {
    fake.plant([item("7b7d", { account: "\u0001\u0002" }), item("7b7d", { account: "key-é", service: "T" })]);
    const out = fake.run(["dump-keychain"]).stdout;
    expect(out).toContain('    "acct"<blob>=0x0102 \n');
    expect(out).toContain('    "acct"<blob>=0x6B65792DC3A9  "key-\\303\\251"\n');
    expect(parseDump(out).map((it) => it.acct)).toEqual(["\u0001\u0002", "key-é"]);
  });

  it("dump-keychain lists every item of every keychain in the search list, any class, and a stub for an unreadable one", async () => {
    const system = "/Library/Keychains/System.keychain";
    const elsewhere = fake.makeKeychain("elsewhere.keychain-db");
    fake.plant([
      item("7b7d", { service: SERVICE, account: "key-A" }),
      {
        keychain: "login.keychain-db",
        class: "inet",
        server: "example.com",
        account: "key-B",
        label: "web",
        data: "00",
      },
      { keychain: "login.keychain-db", class: 0x0000000f, label: "a private key", data: "00" },
      { keychain: system, class: 0x80001000, label: "a certificate", data: "00" },
      item("7b7d", { service: SERVICE, account: "key-C", unreadable: true }),
      item("7b7d", { keychain: system, service: SERVICE, account: "key-D" }),
      item("7b7d", { keychain: elsewhere, service: SERVICE, account: "key-E" }),
    ]);
    const dump = fake.run(["dump-keychain"]);
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain('class: "inet"\n');
    expect(dump.stdout).toContain("class: 0x0000000F \n");
    expect(dump.stdout).toContain("class: 0x80001000 \n");
    expect(dump.stdout).toContain(`keychain: "${system}"\nversion: 256\nclass: 0x80001000 \n`);
    expect(dump.stdout).toContain(
      'keychain: "/Users/fake/Library/Keychains/login.keychain-db"\nversion: 512\nkeychain:',
    );
    expect(dump.stdout).not.toContain("key-E");
    expect(dump.stderr).toContain("security: SecKeychainItemCopyAttributesAndData: ");
    // The listing takes the generic passwords of the service, in every keychain searched, and nothing else.
    expect(await fake.backend().accounts!(SERVICE)).toEqual(["key-A", "key-D"]);
    expect(await fake.backend({ keychainFile: elsewhere }).accounts!(SERVICE)).toEqual(["key-E"]);
  });

  it("find -g writes the attributes to stdout and `password:` to stderr", () => {
    fake.plant([item(hex("{}"))]);
    const result = find("-g");
    expect(result.stdout).toContain('"svce"<blob>="S"');
    expect(result.stdout).not.toContain("password");
    expect(result.stderr).toBe('password: "{}"\n');
  });

  it("-X with an odd number of digits decodes as convertHex's loop does: FFF gives 0F F0", () => {
    expect(fake.run(["-i"], 'add-generic-password -s "S" -a "A" -X "FFF"\n').status).toBe(0);
    expect(fake.storedItems()[0].data).toBe("0ff0");
    expect(fake.run(["-i"], 'add-generic-password -s "S" -a "B" -X "FG"\n').status).toBe(2);
  });

  it("a find -w whose content cannot be read prints nothing; -i adds only `returned`", () => {
    fake.plant([item(hex("{}"))]);
    fake.fault = { command: "find-generic-password", status: 36 };
    const result = find("-w");
    expect([result.status, result.stdout, result.stderr]).toEqual([36, "", ""]);
    const interactive = fake.run(["-i"], 'find-generic-password -s "S" -a "A" -w\n');
    expect([interactive.status, interactive.stdout, interactive.stderr]).toEqual([
      36,
      "",
      "find-generic-password: returned -25308\n",
    ]);
  });

  it("a missing keychain file is 44 for find and delete (skipped by the search), 50 for add", () => {
    const absent = path.join(fake.dir, "absent.keychain-db");
    expect(find("-w", absent).status).toBe(44);
    expect(fake.run(["delete-generic-password", "-s", "S", "-a", "A", absent]).status).toBe(44);
    expect(fake.run(["dump-keychain", absent])).toMatchObject({ status: 0, stdout: "" });
    const add = fake.run(["-i"], `add-generic-password -U -s "S" -a "A" -X "00" "${absent}"\n`);
    expect(add.status).toBe(50);
    expect(add.stderr).toContain(
      `SecKeychainItemCreateFromContent (${absent}): The specified keychain could not be found.`,
    );
  });
});
