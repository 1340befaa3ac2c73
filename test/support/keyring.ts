import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { DEFAULT_SERVICE } from "../../src/lib/keychain";
import { GENERIC_SCHEMA } from "../../src/lib/keychain/linux";

/**
 * Helpers for tests against a real Secret Service. `npm test` (scripts/test.mjs) starts a private,
 * unlocked gnome-keyring in a throwaway XDG_DATA_HOME and sets LINGCODE_TEST_KEYRING=1; without it these
 * tests are skipped, so nothing here ever touches a user's keyring.
 */
export const HAS_KEYRING = process.env.LINGCODE_TEST_KEYRING === "1";
/** keytar loaded in a child process (set by scripts/test.mjs). */
export const HAS_KEYTAR = HAS_KEYRING && process.env.LINGCODE_TEST_KEYTAR === "1";

let counter = 0;

/** A service name unique to this test, derived from the run's throwaway service. Never `LingCode`. */
export function testService(name: string): string {
  const base = process.env.LINGCODE_KEYCHAIN_SERVICE;
  if (!base || base === DEFAULT_SERVICE) {
    throw new Error("LINGCODE_KEYCHAIN_SERVICE must name a throwaway test service; run the tests with npm test.");
  }
  counter += 1;
  return `${base}-${name}-${process.pid}-${counter}`;
}

/** secret-tool run directly (as a user or another program would), with the secret on stdin. */
export function secretTool(args: string[], input?: string): { status: number | null; stdout: string } {
  const result = spawnSync("secret-tool", args, { input: input ?? "", encoding: "utf8", timeout: 20_000 });
  return { status: result.status, stdout: result.stdout };
}

/** Stores as another libsecret client would (keytar's generic schema); `schema: false` as a bare secret-tool call. */
export function storeDirectly(service: string, account: string, secret: string, schema = true): void {
  const attributes = ["service", service, "account", account];
  if (schema) attributes.unshift("xdg:schema", GENERIC_SCHEMA);
  const { status } = secretTool(["store", "--label=test", ...attributes], secret);
  if (status !== 0) throw new Error(`secret-tool store exited with ${status}`);
}

export function lookupDirectly(service: string, account: string): string | undefined {
  const { status, stdout } = secretTool(["lookup", "service", service, "account", account]);
  return status === 0 ? stdout : undefined;
}

export function clearDirectly(service: string, account: string): void {
  secretTool(["clear", "service", service, "account", account]);
}

export interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** keytar is an optional native dependency, for interop tests only (it cannot run inside Raycast). */
export function loadKeytar(): Keytar {
  return createRequire(path.join(process.cwd(), "package.json"))("keytar") as Keytar;
}
