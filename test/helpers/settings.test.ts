/**
 * The Keychain item and the Apple address the Raycast extension uses are constants: nothing in the environment
 * redirects them. Under test, src/helpers/settings.ts is replaced for every file (test/raycast/setup.ts) by the
 * test's throwaway entry and Apple stand-in; here the real module is loaded as well, and the built bundles are run
 * as Raycast would, with LINGCODE_KEYCHAIN_SERVICE, LINGCODE_ASC_API_URL and even NODE_ENV=test set.
 *
 * The names LINGCODE_KEYCHAIN_SERVICE and LINGCODE_ASC_API_URL may appear in the bundles (the CLI's settings share
 * modules with them), so the bundles are checked by what they do, not by grepping for the names.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { appleOptions, keyStore } from "../../src/helpers/core";
import type * as SettingsModule from "../../src/helpers/settings";
import { DEFAULT_ASC_API_URL } from "../../src/lib/apple";
import { DEFAULT_SERVICE, userLockDir } from "../../src/lib/keychain";
import { serializeRecord } from "../../src/lib/record";
import { LINGCODE_SETTINGS } from "../../src/lib/settings";
import { makeRecord } from "../support/keys";
import { ASC_API_URL_ENV, SERVICE_ENV } from "../support/settings";

const ROOT = process.cwd(); // vitest runs from the project root

const OTHER_SERVICE = `LingCode-test-settings-${process.pid}`;
const OTHER_URL = "http://127.0.0.1:9";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the extension's settings", () => {
  it("are always service LingCode and Apple's API, whatever the environment says", async () => {
    vi.stubEnv(SERVICE_ENV, OTHER_SERVICE);
    vi.stubEnv(ASC_API_URL_ENV, OTHER_URL);
    vi.stubEnv("NODE_ENV", "test");
    vi.stubEnv("LINGCODE_LOCK_DIR", "/tmp/elsewhere");
    const real = await vi.importActual<typeof SettingsModule>("../../src/helpers/settings");
    // The saved keys' lock: the user's own folder, the one asc-key finds too (src/lib/keychain/store.ts).
    expect(real.extensionSettings()).toEqual({
      service: "LingCode",
      appleBaseUrl: "https://api.appstoreconnect.apple.com",
      lockDir: userLockDir(),
    });
    expect(real.extensionSettings()).toBe(LINGCODE_SETTINGS);
    expect(LINGCODE_SETTINGS).toEqual({
      service: DEFAULT_SERVICE,
      appleBaseUrl: DEFAULT_ASC_API_URL,
      lockDir: userLockDir(),
    });
  });

  it("under test are the test's throwaway entry and stand-in, and never the real service", () => {
    vi.stubEnv(SERVICE_ENV, OTHER_SERVICE);
    vi.stubEnv(ASC_API_URL_ENV, `${OTHER_URL}/`);
    expect(keyStore().service).toBe(OTHER_SERVICE);
    expect(appleOptions()).toEqual({ baseUrl: OTHER_URL });
    vi.stubEnv(SERVICE_ENV, DEFAULT_SERVICE);
    expect(() => keyStore()).toThrow(SERVICE_ENV);
    vi.stubEnv(SERVICE_ENV, "");
    expect(() => keyStore()).toThrow(SERVICE_ENV);
  });
});

/**
 * Every command and tool the manifest names, bundled as `ray build -e dist` bundles them (its esbuild call: the
 * entry points src/<command> and src/tools/<tool>, platform node, target node22, @raycast/api and react left
 * external, minified), then the built check-api-key command and verify-api-key tool run in plain Node: @raycast/api
 * and fetch replaced by recorders, `secret-tool` by a script that logs its arguments and answers every lookup with
 * a made-up key (no keyring is reachable: no D-Bus address). Linux only: on a Mac the store runs /usr/bin/security.
 */
describe.skipIf(process.platform !== "linux")("the built bundles", () => {
  let dir = "";
  let out = "";

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "lingcode-bundle-"));
    out = path.join(dir, "dist");
    await buildLikeRay(out);
    await fs.access(path.join(out, "check-api-key.js"));
    await fs.access(path.join(out, "tools/verify-api-key.js"));
  }, 60_000);

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
      expect(run.secretTool.some((args) => args.includes("service LingCode account asc-api-key"))).toBe(true);
      // LingCode's entry, and (Check API Key) the list of retired keys beside the saved keys: nothing else.
      for (const args of run.secretTool) {
        expect(args).toMatch(/service LingCode( Saved Keys)? account (asc-api-key|retired)$/);
        expect(args).not.toContain(OTHER_SERVICE);
      }
      expect(run.urls).toEqual([`${DEFAULT_ASC_API_URL}/v1/apps?limit=1`]);
    },
  );
});

/**
 * The bundles `ray build -e dist -o <out>` writes (.ci/run runs the real one before the tests), made with the options
 * its build step passes to esbuild; what ray adds on top (type declarations, a type check, assets) changes no bundle.
 */
async function buildLikeRay(outDir: string): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8")) as {
    commands: { name: string }[];
    tools?: { name: string }[];
    external?: string[];
  };
  const entry = async (base: string): Promise<string> => {
    for (const ext of ["ts", "tsx"]) {
      const file = path.join(ROOT, `${base}.${ext}`);
      if (
        await fs.stat(file).then(
          () => true,
          () => false,
        )
      )
        return file;
    }
    throw new Error(`no entry point for ${base}`);
  };
  const options = {
    platform: "node" as const,
    target: "node22",
    external: ["@raycast/api", "react", "react-devtools-raycast", "@parcel/source-map", ...(manifest.external ?? [])],
    jsxFactory: "_jsx",
    jsxFragment: "_jsxFragment",
    bundle: true,
    minify: true,
    write: true,
    logLevel: "silent" as const,
    entryNames: "[name]",
  };
  await build({
    ...options,
    entryPoints: await Promise.all(manifest.commands.map((command) => entry(`src/${command.name}`))),
    outdir: outDir,
  });
  await build({
    ...options,
    entryPoints: await Promise.all((manifest.tools ?? []).map((tool) => entry(`src/tools/${tool.name}`))),
    outdir: path.join(outDir, "tools"),
  });
}

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
