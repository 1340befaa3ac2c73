/**
 * An In-App Purchase key (`SubscriptionKey_<ID>.p8`, made for the App Store Server API) given to `asc-key register`:
 * refused by its name with the key model's reason, before any request to Apple and before anything is saved. Run as a
 * child process from the bundle, against the private Secret Service `npm test` starts and the Apple stand-in, which
 * would accept the very same key under its AuthKey_ name.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AscKeyError } from "../../src/lib/errors";
import { loadKeyFile } from "../../src/lib/key";
import { ACCOUNT } from "../../src/lib/keychain";
import { startAppleStandIn, type AppleStandIn } from "../support/apple-stand-in";
import { runNode, type Run } from "../support/cli";
import { clearDirectly, HAS_KEYRING, lookupDirectly, testService } from "../support/keyring";
import { ISSUER_ID, makeKey, makeKeyId, type TestKey } from "../support/keys";

const ROOT = process.cwd();
const BUNDLE = path.join(ROOT, "dist-cli", "asc-key.js");

describe.skipIf(!HAS_KEYRING)("asc-key register with an In-App Purchase key", () => {
  let tmp: string;
  let apple: AppleStandIn;
  let service: string;
  let key: TestKey;
  let keyId: string;
  let dir: string;
  let env: Record<string, string>;

  const cli = (args: string[], input = ""): Promise<Run> => runNode([BUNDLE, ...args], { cwd: tmp, env, input });
  const writeP8 = (name: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, key.pem, { mode: 0o600 });
    return file;
  };
  const register = (file: string, extra: string[] = []) =>
    cli(["register", "--issuer-id", ISSUER_ID, "--key-id", keyId, "--p8", file, ...extra]);

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "lingcode-subscription-"));
    apple = await startAppleStandIn();
  }, 60_000);
  afterAll(async () => {
    await apple.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => {
    service = testService("subscription");
    key = makeKey();
    keyId = makeKeyId();
    dir = mkdtempSync(path.join(tmp, "case-"));
    const home = path.join(dir, "home");
    mkdirSync(home);
    // Apple would accept this key: only its file's name stops it.
    apple.register({ keyId, kind: "team", issuerId: ISSUER_ID, publicKey: key.publicKey });
    apple.requests.length = 0;
    env = {
      PATH: process.env.PATH ?? "",
      HOME: home,
      LINGCODE_KEYCHAIN_SERVICE: service,
      LINGCODE_ASC_API_URL: apple.url,
    };
    for (const name of ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"]) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
  });
  afterEach(() => clearDirectly(service, ACCOUNT));

  it.each([
    ["SubscriptionKey_<ID>.p8", []],
    ["SubscriptionKey_<ID> (1).p8", []],
    ["SubscriptionKey_<ID>.p8", ["--skip-verify"]],
    ["SubscriptionKey_<ID>.p8", ["--name", "Store"]],
  ])("%s %j: exit 2 with the key model's reason, no request to Apple, nothing saved", async (name, extra) => {
    const file = writeP8(name.replace("<ID>", keyId));
    const reason = await loadKeyFile(file).then(
      () => "not refused",
      (error: unknown) => (error instanceof AscKeyError ? error.message : String(error)),
    );
    expect(reason).toMatch(/In-App Purchase .*App Store Server API/);

    const run = await register(file, extra);
    expect(run).toEqual({ status: 2, stdout: "", stderr: `asc-key: ${reason}\n` });
    expect(apple.requests).toHaveLength(0);
    expect(lookupDirectly(service, ACCOUNT)).toBeUndefined();
    expect(existsSync(file)).toBe(true);
    expect((await cli(["status"])).status).toBe(1);
  });

  it("the same key under its AuthKey_ name reaches Apple once and is saved (the refusal above is the name's doing)", async () => {
    const run = await register(writeP8(`AuthKey_${keyId}.p8`));
    expect(run.status, run.stderr).toBe(0);
    expect(apple.requests.filter((request) => request.path === "/v1/apps?limit=1")).toHaveLength(1);
    expect(lookupDirectly(service, ACCOUNT)).toContain(keyId);
  });
});
