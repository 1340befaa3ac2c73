import { generateKeyPairSync, createHash, createPublicKey } from "node:crypto";
import { promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AscKeyError } from "../../src/lib/errors";
import { loadKeyFile, MAX_KEY_FILE_BYTES, normalizePrivateKey, readKeyFile } from "../../src/lib/key";
import { RAW_CONTROL } from "../support/controls";
import { makeKey } from "../support/keys";

const key = makeKey();
const body = key.pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "").replace(/\s+/g, "");

/** The fingerprint computed without node's SPKI export: P-256 SPKI is a fixed prefix plus 04 || x || y. */
function independentFingerprint(publicJwk: { x?: string; y?: string }): string {
  const prefix = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(publicJwk.x!, "base64url"),
    Buffer.from(publicJwk.y!, "base64url"),
  ]);
  const digest = createHash("sha256")
    .update(Buffer.concat([prefix, point]))
    .digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

function expectRefused(input: string, code: string, messagePart?: RegExp) {
  let caught: unknown;
  try {
    normalizePrivateKey(input);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AscKeyError);
  const error = caught as AscKeyError;
  expect(error.code).toBe(code);
  expect(error.message).not.toMatch(/\n/);
  // No run of the key's base64 may leak into the message.
  for (let i = 0; i + 12 <= body.length; i += 6) expect(error.message).not.toContain(body.slice(i, i + 12));
  if (messagePart) expect(error.message).toMatch(messagePart);
}

describe("normalizePrivateKey: forms users really paste", () => {
  const canonical = normalizePrivateKey(key.pem).pem;
  const sec1 = key.privateKey.export({ type: "sec1", format: "pem" }).toString();
  const forms: Record<string, string> = {
    "Apple's PKCS#8 PEM": key.pem,
    "CRLF line endings": key.pem.replace(/\n/g, "\r\n"),
    "a UTF-8 BOM, blank lines and spaces around it": `\uFEFF\n\n   ${key.pem}\n\n   \n`,
    "the body on one line": `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`,
    "the whole PEM on one line": `-----BEGIN PRIVATE KEY-----${body}-----END PRIVATE KEY-----`,
    "the base64 body without BEGIN/END lines": body,
    "the base64 body wrapped at 64 columns without BEGIN/END": body.replace(/(.{64})/g, "$1\n"),
    "base64 of the whole PEM": Buffer.from(key.pem).toString("base64"),
    "literal \\n escapes": key.pem.replace(/\n/g, "\\n"),
    "a quoted environment-variable value": `"${key.pem.replace(/\n/g, "\\n")}"`,
    "SEC1 BEGIN EC PRIVATE KEY": sec1,
    "SEC1 after an EC PARAMETERS block (openssl ecparam -genkey)": `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`,
    "SEC1 DER as bare base64": key.privateKey.export({ type: "sec1", format: "der" }).toString("base64"),
    "already canonical": canonical,
  };

  for (const [name, input] of Object.entries(forms)) {
    it(`accepts ${name}`, async () => {
      const result = normalizePrivateKey(input);
      expect(result.pem).toBe(canonical);
      expect(result.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END PRIVATE KEY-----\n$/);
      await expect(importPKCS8(result.pem, "ES256")).resolves.toBeDefined();
    });
  }

  it("is idempotent and keeps the same key", () => {
    const once = normalizePrivateKey(key.pem);
    const twice = normalizePrivateKey(once.pem);
    expect(twice).toEqual(once);
    const jwkIn = key.privateKey.export({ format: "jwk" });
    const jwkOut = createPublicKey(once.pem).export({ format: "jwk" });
    expect(jwkOut.x).toBe(jwkIn.x);
    expect(jwkOut.y).toBe(jwkIn.y);
  });

  it("gives the fingerprint an independent computation gives", () => {
    const jwk = key.publicKey.export({ format: "jwk" });
    const { fingerprint } = normalizePrivateKey(key.pem);
    expect(fingerprint).toBe(independentFingerprint(jwk));
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(normalizePrivateKey(makeKey().pem).fingerprint).not.toBe(fingerprint);
  });
});

describe("normalizePrivateKey: what it refuses", () => {
  it("refuses text that is not a key", () => {
    expectRefused("hello, this is my key", "not-a-key", /BEGIN PRIVATE KEY/);
    expectRefused("", "not-a-key");
    expectRefused("   \n\n ", "not-a-key");
    expectRefused('{"keyId":"ABC1234DEF"}', "not-a-key");
  });

  it("refuses binary contents, such as a video picked by mistake", () => {
    const binary = Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32, 0xff, 0xfe]).toString(
      "utf8",
    );
    expectRefused(binary.repeat(20), "not-a-key");
  });

  it("refuses a certificate and a public key", () => {
    expectRefused(
      `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
      "certificate-not-key",
      /certificate/,
    );
    const publicPem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
    expectRefused(publicPem, "public-key-not-private", /public key/);
  });

  it("refuses encrypted keys, PKCS#8 and SEC1", () => {
    const pkcs8 = key.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" });
    expectRefused(pkcs8.toString(), "encrypted-key", /passphrase/);
    const sec1 = key.privateKey.export({ type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" });
    expectRefused(sec1.toString(), "encrypted-key");
  });

  it("refuses RSA keys, in PKCS#8 and PKCS#1", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expectRefused(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), "rsa-key", /RSA/);
    expectRefused(privateKey.export({ type: "pkcs1", format: "pem" }).toString(), "rsa-key", /RSA/);
  });

  it("refuses Ed25519 keys", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    expectRefused(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), "ed25519-key", /Ed25519/);
  });

  it("refuses EC keys on other curves, naming the curve", () => {
    expectRefused(makeKey("P-384").pem, "wrong-curve", /P-384.*P-256/);
    expectRefused(makeKey("secp256k1").pem, "wrong-curve", /secp256k1/);
  });

  it("refuses corrupt and truncated base64", () => {
    const lines = key.pem.split("\n");
    const starred = lines.map((line, i) => (i === 2 ? line.slice(0, 10) + "*#" + line.slice(12) : line)).join("\n");
    expectRefused(starred, "corrupt-key", /damaged/);
    const half = `-----BEGIN PRIVATE KEY-----\n${body.slice(0, 80)}\n-----END PRIVATE KEY-----\n`;
    expectRefused(half, "corrupt-key");
    const oddLength = `-----BEGIN PRIVATE KEY-----\n${body.slice(0, 81)}\n-----END PRIVATE KEY-----\n`;
    expectRefused(oddLength, "corrupt-key", /cut short/);
    expectRefused(key.pem.split("-----END")[0], "corrupt-key", /END line/);
    expectRefused(body.slice(0, 81), "corrupt-key", /cut short/);
    expectRefused("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", "corrupt-key");
  });

  it("refuses an SSH key", () => {
    expectRefused(
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`,
      "unsupported-key",
      /SSH/,
    );
  });
});

describe("reading a .p8 file", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "asc-key-test-"));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function expectFileRefused(promise: Promise<unknown>, code: string) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AscKeyError);
    expect((error as AscKeyError).code).toBe(code);
    expect((error as AscKeyError).message).not.toMatch(/\n/);
    return error as AscKeyError;
  }

  it("reads a key file and names its Key ID", async () => {
    const file = path.join(dir, "AuthKey_ABC1234DEF.p8");
    await fs.writeFile(file, key.pem);
    const loaded = await loadKeyFile(file, "abc1234def");
    expect(loaded.pem).toBe(normalizePrivateKey(key.pem).pem);
    expect(loaded.fileKeyId).toBe("ABC1234DEF");
    expect(loaded.fileName).toBe("AuthKey_ABC1234DEF.p8");
    expect(loaded.warnings).toEqual([]);
  });

  it("warns when the file name names another Key ID", async () => {
    const file = path.join(dir, "AuthKey_ZZZ9999ZZZ.p8");
    await fs.writeFile(file, key.pem);
    const loaded = await loadKeyFile(file, "ABC1234DEF");
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/ZZZ9999ZZZ.*ABC1234DEF.*renamed/);
  });

  it("refuses an In-App Purchase key by its name, explaining why", async () => {
    const file = path.join(dir, "SubscriptionKey_ABC1234DEF.p8");
    await fs.writeFile(file, key.pem);
    const error = await expectFileRefused(loadKeyFile(file), "subscription-key");
    expect(error.message).toMatch(/In-App Purchase/);
    expect(error.message).toMatch(/for the App Store Server API/);
  });

  it("refuses an In-App Purchase key before reading it: even a file that is no key at all, or no file", async () => {
    const notes = path.join(dir, "SubscriptionKey_ABC1234DEF (1).p8");
    await fs.writeFile(notes, "not a key\n");
    await expectFileRefused(loadKeyFile(notes), "subscription-key");
    await expectFileRefused(loadKeyFile(path.join(dir, "gone", "SubscriptionKey_ABC1234DEF.p8")), "subscription-key");
  });

  it("shows a control character in an In-App Purchase key's name as an escape", async () => {
    const file = path.join(dir, "SubscriptionKey_ABC1234DEF\r(2).p8");
    await fs.writeFile(file, key.pem);
    const error = await expectFileRefused(loadKeyFile(file), "subscription-key");
    expect(error.message).toMatch(/^SubscriptionKey_ABC1234DEF\\r\(2\)\.p8 is an In-App Purchase/);
    expect(error.message).not.toContain("\r");
  });

  it("shows terminal controls in a file's name as escapes in every reason", async () => {
    const hostile = "\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u007f";
    const shown = "\\x1b]0;pwned\\x07\\x1b[2J\\r\\u009b31m\\u007f";
    const folder = path.join(dir, `keys${hostile}`);
    await fs.mkdir(folder);
    const large = path.join(dir, `big${hostile}.p8`);
    await fs.writeFile(large, Buffer.alloc(MAX_KEY_FILE_BYTES + 1, 1));
    const empty = path.join(dir, `empty${hostile}.p8`);
    await fs.writeFile(empty, "");
    // Each read starts only when its turn comes: a rejection nobody awaits yet would be reported as unhandled.
    const cases = [
      [() => readKeyFile(path.join(dir, `missing${hostile}.p8`)), "file-not-found", `missing${shown}.p8`],
      [() => readKeyFile(folder), "file-is-directory", `keys${shown}`],
      [() => readKeyFile(large), "file-too-large", `big${shown}.p8`],
      [() => readKeyFile(empty), "file-empty", `empty${shown}.p8`],
    ] as const;
    for (const [attempt, code, name] of cases) {
      const error = await expectFileRefused(attempt(), code);
      expect(error.message, code).toContain(name);
      expect(error.message, code).not.toMatch(RAW_CONTROL);
    }
  });

  it("gives each file problem its own reason", async () => {
    await expectFileRefused(readKeyFile(path.join(dir, "missing.p8")), "file-not-found");
    await expectFileRefused(readKeyFile(path.join(dir, "missing", "deeper.p8")), "file-not-found");
    await expectFileRefused(readKeyFile(dir), "file-is-directory");
    const empty = path.join(dir, "empty.p8");
    await fs.writeFile(empty, "");
    await expectFileRefused(readKeyFile(empty), "file-empty");
    const large = path.join(dir, "movie.mp4");
    await fs.writeFile(large, Buffer.alloc(MAX_KEY_FILE_BYTES + 1, 1));
    const error = await expectFileRefused(readKeyFile(large), "file-too-large");
    expect(error.message).toMatch(/about 250 bytes/);
  });

  it("reads a file of exactly the size cap (and refuses its contents as not a key)", async () => {
    const atCap = path.join(dir, "at-cap.p8");
    await fs.writeFile(atCap, Buffer.alloc(MAX_KEY_FILE_BYTES, 0x41));
    await expect(readKeyFile(atCap)).resolves.toHaveLength(MAX_KEY_FILE_BYTES);
  });

  it("refuses a file it cannot read, without hanging", async () => {
    if (process.getuid?.() === 0) {
      // Root reads any mode, so use something no one can read as a file: a Unix socket.
      const socketPath = path.join(dir, "socket.p8");
      const server = net.createServer().listen(socketPath);
      await new Promise((resolve) => server.once("listening", resolve));
      await expectFileRefused(readKeyFile(socketPath), "file-unreadable");
      server.close();
    } else {
      const locked = path.join(dir, "locked.p8");
      await fs.writeFile(locked, key.pem, { mode: 0o000 });
      await expectFileRefused(readKeyFile(locked), "file-unreadable");
    }
    const { execFileSync } = await import("node:child_process");
    const fifo = path.join(dir, "fifo.p8");
    execFileSync("mkfifo", [fifo]);
    await expectFileRefused(readKeyFile(fifo), "file-unreadable");
  });
});

// `npm test` sets LINGCODE_TEST_OPENSSL when openssl is there, and names this test as skipped when it is not.
describe.skipIf(!process.env.LINGCODE_TEST_OPENSSL)("the README's openssl one-liner", () => {
  it("gives the same fingerprint from a .p8 as the extension shows", async () => {
    const { execFileSync } = await import("node:child_process");
    const readme = await fs.readFile(path.join(__dirname, "../../README.md"), "utf8");
    const line = readme.split("\n").find((text) => text.startsWith("openssl pkey -in AuthKey_ABC1234DEF.p8"));
    expect(line, "the one-liner is in the README").toBeDefined();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "asc-key-openssl-"));
    try {
      const fresh = makeKey();
      await fs.writeFile(path.join(dir, "AuthKey_ABC1234DEF.p8"), fresh.pem);
      const printed = execFileSync("sh", ["-c", line!], { cwd: dir, encoding: "utf8" }).trim();
      expect(printed).toBe(normalizePrivateKey(fresh.pem).fingerprint);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
