/**
 * The Keychain item and the Apple address the Raycast extension uses are constants: nothing in the environment
 * redirects them. The tests reach the real src/helpers/store.ts only through an absolute path (every relative
 * import of it loads test/support/raycast-store.ts, see vitest.config.mts), and run the built bundles as Raycast
 * would, with LINGCODE_KEYCHAIN_SERVICE, LINGCODE_ASC_API_URL and even NODE_ENV=test set.
 *
 * The names LINGCODE_KEYCHAIN_SERVICE and LINGCODE_ASC_API_URL do appear in the bundles: src/lib reads them for
 * the CLI when no service or address is given, and the extension always gives both. So the bundles are checked by
 * what they do, not by grepping for the names.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { keyStore as redirectedKeyStore } from "../../src/helpers/store";
import { ASC_API_URL_ENV, DEFAULT_ASC_API_URL } from "../../src/lib/asc-client";
import { DEFAULT_SERVICE, SERVICE_ENV } from "../../src/lib/keychain";
import { serializeRecord } from "../../src/lib/record";
import { makeRecord } from "../support/keys";

type RaycastStore = typeof import("../../src/helpers/store");

const ROOT = process.cwd(); // vitest runs from the project root
const REAL_STORE = path.join(ROOT, "src/helpers/store.ts");
const TEST_STORE = path.join(ROOT, "test/support/raycast-store.ts");

const OTHER_SERVICE = `LingCode-test-store-${process.pid}`;
const OTHER_URL = "http://127.0.0.1:9";

const saved = { service: process.env[SERVICE_ENV], url: process.env[ASC_API_URL_ENV], nodeEnv: process.env.NODE_ENV };
function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
afterEach(() => {
  restore(SERVICE_ENV, saved.service);
  restore(ASC_API_URL_ENV, saved.url);
  restore("NODE_ENV", saved.nodeEnv);
});

describe("src/helpers/store.ts itself", () => {
  it("always service LingCode and Apple's API, whatever the environment says", async () => {
    process.env[SERVICE_ENV] = OTHER_SERVICE;
    process.env[ASC_API_URL_ENV] = OTHER_URL;
    process.env.NODE_ENV = "test";
    const real = (await import(REAL_STORE)) as RaycastStore;
    // Creating a store touches no Keychain; only its reads and writes do.
    expect(real.keyStore().service).toBe("LingCode");
    expect(real.keyStore().service).toBe(DEFAULT_SERVICE);
    expect(real.appleOptions()).toEqual({ baseUrl: "https://api.appstoreconnect.apple.com" });
    expect(real.appleOptions().baseUrl).toBe(DEFAULT_ASC_API_URL);
  });

  it("reads nothing from process.env", async () => {
    const source = await fs.readFile(REAL_STORE, "utf8");
    expect(source).not.toMatch(/process\.env|NODE_ENV/);
  });
});

describe("under test, relative imports get test/support/raycast-store.ts", () => {
  type Resolve = (source: string, importer?: string) => string | null;
  let resolveId: Resolve;
  beforeAll(async () => {
    // Through a computed path, so the type checker does not take the config in as part of the project.
    const config = (await import(path.join(ROOT, "vitest.config.mts"))) as {
      default: { plugins: { name: string; resolveId: Resolve }[] };
    };
    const plugin = config.default.plugins.find((p) => p.name === "lingcode:raycast-store-for-tests");
    if (!plugin) throw new Error("vitest.config.mts has no lingcode:raycast-store-for-tests plugin");
    resolveId = plugin.resolveId;
  });
  const resolve = (source: string, importer: string) => resolveId(source, path.join(ROOT, importer));

  it("from the commands, the tools, the helpers and the tests", () => {
    expect(resolve("./helpers/store", "src/check-api-key.tsx")).toBe(TEST_STORE);
    expect(resolve("../helpers/store", "src/tools/verify-api-key.ts")).toBe(TEST_STORE);
    expect(resolve("./store", "src/helpers/register.ts")).toBe(TEST_STORE);
    expect(resolve("../../src/helpers/store", "test/support/commands.ts")).toBe(TEST_STORE);
  });

  it("but not the Keychain's own store, nor an absolute path", () => {
    expect(resolve("./store", "src/lib/keychain/index.ts")).toBeNull();
    expect(resolve(REAL_STORE, "test/helpers/store.test.ts")).toBeNull();
    expect(resolve("@raycast/api", "src/check-api-key.tsx")).toBeNull();
  });

  it("which honours LINGCODE_KEYCHAIN_SERVICE and refuses the real service", () => {
    process.env[SERVICE_ENV] = OTHER_SERVICE;
    expect(redirectedKeyStore().service).toBe(OTHER_SERVICE);
    process.env[SERVICE_ENV] = DEFAULT_SERVICE;
    expect(() => redirectedKeyStore()).toThrow(SERVICE_ENV);
    delete process.env[SERVICE_ENV];
    expect(() => redirectedKeyStore()).toThrow(SERVICE_ENV);
  });
});

/**
 * `ray build` once, then the built check-api-key command and verify-api-key tool run in plain Node: @raycast/api
 * and fetch replaced by recorders, `secret-tool` by a script that logs its arguments and answers every lookup with
 * a made-up key (no keyring is reachable: no D-Bus address). Linux only: on a Mac the store runs /usr/bin/security.
 */
describe.skipIf(process.platform !== "linux")("the built bundles", () => {
  let dir = "";
  let out = "";

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-bundle-"));
    out = path.join(dir, "dist");
    const build = spawnSync("npx", ["ray", "build", "-e", "dist", "-o", out, "--non-interactive", "--exit-on-error"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    const log = `${build.stdout}\n${build.stderr}`;
    // ray build compiles the bundles first, then type-checks the whole project; a type error elsewhere in the
    // tree (`npm run typecheck` reports those) does not change what was bundled.
    if (build.status !== 0 && !/compiled entry points[\s\S]*TypeScript check failed/.test(log)) {
      throw new Error(`ray build failed:\n${log}`);
    }
    await fs.access(path.join(out, "check-api-key.js"));
    await fs.access(path.join(out, "tools/verify-api-key.js"));
  }, 180_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("no bundle reads NODE_ENV", async () => {
    const bundles = ["check-api-key.js", "api-key-status.js", "register-api-key.js", "open-team-keys.js"];
    for (const tool of await fs.readdir(path.join(out, "tools")))
      if (tool.endsWith(".js")) bundles.push(`tools/${tool}`);
    expect(bundles.length).toBeGreaterThanOrEqual(8);
    for (const bundle of bundles) {
      const text = await fs.readFile(path.join(out, bundle), "utf8");
      expect(text.includes("NODE_ENV"), `${bundle} mentions NODE_ENV`).toBe(false);
    }
  });

  it.each(["check-api-key.js", "tools/verify-api-key.js"])(
    "%s reads service LingCode and asks Apple, with the environment pointing elsewhere",
    async (bundle) => {
      const run = await runBundle(dir, path.join(out, bundle));
      expect(run.secretTool.length).toBeGreaterThan(0);
      for (const args of run.secretTool) {
        expect(args).toContain("service LingCode account asc-api-key");
        expect(args).not.toContain(OTHER_SERVICE);
      }
      expect(run.urls).toEqual([`${DEFAULT_ASC_API_URL}/v1/apps?limit=1`]);
    },
  );
});

interface BundleRun {
  /** Each secret-tool call's arguments, space-separated. */
  secretTool: string[];
  /** Each URL fetched. */
  urls: string[];
}

const RUNNER = String.raw`
const Module = require("node:module");
const storage = new Map();
const api = {
  environment: { launchType: "background", commandMode: "no-view" },
  LaunchType: { UserInitiated: "userInitiated", Background: "background" },
  LocalStorage: {
    getItem: async (key) => storage.get(key),
    setItem: async (key, value) => void storage.set(key, value),
    removeItem: async (key) => void storage.delete(key),
  },
  showHUD: async () => undefined,
  updateCommandMetadata: async () => undefined,
  launchCommand: async () => undefined,
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@raycast/api" ? api : load.call(this, request, ...rest);
};
const urls = [];
globalThis.fetch = async (url) => {
  urls.push(String(url));
  throw new TypeError("fetch failed (no network in this test)");
};
const command = require(process.argv[2]).default;
Promise.resolve(command({ arguments: {}, launchType: "background" })).then(
  () => console.log(JSON.stringify({ urls })),
  (error) => { console.error(error); process.exit(1); },
);
`;

async function runBundle(dir: string, bundle: string): Promise<BundleRun> {
  const bin = await fs.mkdtemp(path.join(dir, "bin-"));
  const log = path.join(bin, "secret-tool.log");
  const record = path.join(bin, "record.json");
  await fs.writeFile(record, serializeRecord(makeRecord()));
  await fs.writeFile(
    path.join(bin, "secret-tool"),
    `#!/bin/sh\necho "$*" >> '${log}'\nif [ "$1" = lookup ]; then cat '${record}'; exit 0; fi\nexit 1\n`,
    { mode: 0o755 },
  );
  const runner = path.join(bin, "runner.cjs");
  await fs.writeFile(runner, RUNNER);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}${path.delimiter}/usr/bin${path.delimiter}/bin`,
    NODE_ENV: "test",
    [SERVICE_ENV]: OTHER_SERVICE,
    [ASC_API_URL_ENV]: OTHER_URL,
  };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const child = spawnSync(process.execPath, [runner, bundle], { env, encoding: "utf8", timeout: 60_000 });
  expect(child.status, child.stderr).toBe(0);
  const { urls } = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as { urls: string[] };
  const secretTool = (await fs.readFile(log, "utf8")).trim().split("\n");
  return { secretTool, urls };
}
