/**
 * npm run bench, part 5: what each action costs in Keychain reads, Keychain writes and requests to Apple, counted
 * while the commands are driven through the @raycast/api double (and `asc-key register` through its in-process
 * entry) against the real core. Run by bench/run.mjs (vitest with bench/vitest.config.mts) inside its private keyring,
 * with LINGCODE_KEYCHAIN_SERVICE set to a throwaway service; the counts go to $LINGCODE_BENCH_ACTIONS_OUT and the
 * bench judges them against their goals (bench/parts/actions.mjs).
 *
 * - Keychain reads are the `secret-tool lookup` and `search` processes the store starts, writes the `store` ones
 *   (node:child_process is replaced here by a wrapper that counts them and then runs the real tool).
 * - Apple requests are the Apple stand-in's request log (test/support/apple-stand-in.ts): a check is `GET /v1/apps`,
 *   the privilege probe `GET /v1/users`.
 * - Before first paint: lookups started when the first render has been committed (a layout effect of a wrapper runs
 *   after the command's own layout effects and before any passive effect). With a warm cache the Keychain's answer
 *   is held back (a gate file) until the first paint has been looked at, so it must already show the key.
 *
 * The actions run in one session, as a user would meet them: API Key Status opened cold and warm, Refresh, Verify
 * with Apple; Register API Key replacing the saved key, up to the status it then shows; the launcher-subtitle
 * refresh that registration asked for; Open Team Keys; Check API Key; `asc-key register`; `asc-key register --rotate`;
 * `asc-key import --from fastlane-json`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { act, useLayoutEffect, type ReactNode } from "react";
import { expect, it, vi } from "vitest";
import ApiKeyStatus from "../src/api-key-status";
import CheckApiKey from "../src/check-api-key";
import { forgetRetiredKey } from "../src/lib/keys";
import { main as ascKey } from "../src/cli/main";
import { ASC_API_URL_ENV, SERVICE_ENV } from "../src/cli/settings";
import { createKeyStore, DEFAULT_SERVICE } from "../src/lib/keychain";
import { SHELL } from "../src/lib/keychain/linux";
import { registerKey } from "../src/lib/keys";
import { clearTokenCache } from "../src/lib/token";
import OpenTeamKeys from "../src/open-team-keys";
import RegisterApiKey from "../src/register-api-key";
import {
  answerNextAlert,
  flush,
  launchProps,
  raycast,
  render,
  resetRaycast,
  runNoView,
  type Screen,
} from "../test/raycast/harness";
import { startAppleStandIn, type AppleStandIn } from "../test/support/apple-stand-in";
import { ISSUER_ID, makeKey, makeKeyId, type TestKey } from "../test/support/keys";

interface Counter {
  /** The secret-tool subcommand of every process started (lookup, search, store, clear). */
  started: string[];
  /** For each, what it touched: "entry" (LingCode's item), "entry-bare" (a second look at it, see below), "saved". */
  items: string[];
  finished: number;
  gate?: string;
}

const tool = vi.hoisted((): Counter => ({ started: [], items: [], finished: 0 }));

vi.mock("node:child_process", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:child_process")>();
  const spawn = (file: string, args: readonly string[], options: object) => {
    // A store runs as `/bin/sh -c <script> sh <secret-tool> store ...`: the shell holds the whole record before
    // secret-tool starts (src/lib/keychain/linux.ts). It counts as that secret-tool run.
    const throughShell = file === SHELL && args[0] === "-c" && /(^|\/)secret-tool$/.test(args[3] ?? "");
    if (!throughShell && !/(^|\/)secret-tool$/.test(file)) return actual.spawn(file, args, options);
    const words = throughShell ? args.slice(4) : args;
    tool.started.push(words[0] ?? "");
    tool.items.push(itemOf(words));
    // While the gate file exists the process waits before it becomes secret-tool: its answer cannot arrive early.
    const child = tool.gate
      ? actual.spawn(
          "sh",
          ["-c", 'while [ -e "$0" ]; do sleep 0.01; done; exec "$@"', tool.gate, file, ...args],
          options,
        )
      : actual.spawn(file, args, options);
    child.on("close", () => (tool.finished += 1));
    return child;
  };
  return { ...actual, spawn, default: { ...actual, spawn } };
});

/**
 * Which item a secret-tool run is about. LingCode's entry is (service, account `asc-api-key`); a read of it is one
 * `lookup` with keytar's schema. On Linux, a lookup that finds nothing is followed by a `search` (and, for an item
 * stored without the schema, a second lookup) to tell a locked keyring from an empty one: "entry-bare", counted apart.
 */
function itemOf(words: readonly string[]): string {
  const value = (name: string) => {
    const at = words.indexOf(name, 1);
    return at === -1 ? undefined : words[at + 1];
  };
  if (value("service") !== process.env.LINGCODE_KEYCHAIN_SERVICE || value("account") !== "asc-api-key") return "saved";
  return words[0] === "lookup" && words.includes("xdg:schema") ? "entry" : "entry-bare";
}

const out = process.env.LINGCODE_BENCH_ACTIONS_OUT;
const service = process.env[SERVICE_ENV];

const READS = new Set(["lookup", "search"]);
const settled = () => tool.finished === tool.started.length;

/** What one action cost. */
interface Counts {
  reads: number;
  /** Reads of LingCode's entry (one `lookup` each), and the second processes of reads that found nothing. */
  entryReads: number;
  entryReadsExtra: number;
  writes: number;
  /** Items removed (`secret-tool clear`). */
  removals: number;
  /** Any other Keychain run. */
  other: number;
  /** Apple requests: checks (GET /v1/apps), privilege probes (GET /v1/users), anything else. */
  checks: number;
  probes: number;
  otherRequests: number;
  /** Every secret-tool subcommand and request path, in order, for the JSON. */
  keychain: string[];
  requests: string[];
}

function since(apple: AppleStandIn, toolMark: number, appleMark: number): Counts {
  const keychain = tool.started.slice(toolMark);
  const items = tool.items.slice(toolMark);
  const entry = (kind: string) => keychain.filter((command, at) => READS.has(command) && items[at] === kind).length;
  const requests = apple.requests.slice(appleMark).map((request) => `${request.method} ${request.path}`);
  const path = (request: string) => request.split(" ")[1] ?? "";
  return {
    reads: keychain.filter((command) => READS.has(command)).length,
    entryReads: entry("entry"),
    entryReadsExtra: entry("entry-bare"),
    writes: keychain.filter((command) => command === "store").length,
    removals: keychain.filter((command) => command === "clear").length,
    other: keychain.filter((command) => !READS.has(command) && command !== "store" && command !== "clear").length,
    checks: requests.filter((request) => path(request).startsWith("/v1/apps")).length,
    probes: requests.filter((request) => path(request).startsWith("/v1/users")).length,
    otherRequests: requests.filter((request) => !/^\/v1\/(apps|users)/.test(path(request))).length,
    keychain: keychain.map((command, at) => `${command} ${items[at]}`),
    requests,
  };
}

function FirstPaint({ children, onCommit }: { children: ReactNode; onCommit: () => void }) {
  useLayoutEffect(() => {
    onCommit();
  }, []);
  return <>{children}</>;
}

/** Renders a view command; resolves with the screen and the reads started by the time its first render committed. */
async function open(element: ReactNode): Promise<{ screen: Screen; beforeFirstPaint: number }> {
  const mark = tool.started.length;
  let beforeFirstPaint = -1;
  const screen = await render(
    <FirstPaint
      onCommit={() => {
        beforeFirstPaint = tool.started.slice(mark).filter((command) => READS.has(command)).length;
      }}
    >
      {element}
    </FirstPaint>,
  );
  return { screen, beforeFirstPaint };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lets time pass inside React's act(), so the updates it brings are applied as they would be in Raycast. */
async function pause(ms: number) {
  await act(async () => {
    await sleep(ms);
  });
}

/** Nothing running, nothing loading, and a quarter of a second more in which nothing new started. */
async function idle(screen?: Screen) {
  for (;;) {
    const deadline = Date.now() + 20_000;
    while (!settled() || (screen?.isLoading ?? false)) {
      if (Date.now() > deadline) throw new Error(`still busy: ${tool.started.join(", ")}`);
      await pause(10);
    }
    const started = tool.started.length;
    await pause(250);
    if (settled() && tool.started.length === started) break;
  }
  await flush();
}

it.skipIf(!out)(
  "per action: Keychain reads and writes, requests to Apple",
  async () => {
    if (!service || service === DEFAULT_SERVICE) throw new Error(`${SERVICE_ENV} must name a throwaway service`);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-bench-home-"));
    const saved = { HOME: process.env.HOME, URL: process.env[ASC_API_URL_ENV] };
    const apple = await startAppleStandIn();
    const store = createKeyStore({ service });
    const results: Record<string, Counts & Record<string, unknown>> = {};
    try {
      // A home of its own: the register form looks for keys in ~/Downloads.
      process.env.HOME = home;
      fs.mkdirSync(path.join(home, "Downloads"));
      process.env[ASC_API_URL_ENV] = apple.url;

      const newKey = ({ known = true } = {}): { key: TestKey; keyId: string; file: string } => {
        const key = makeKey();
        const keyId = makeKeyId();
        if (known) {
          apple.register(
            { keyId, kind: "team", issuerId: ISSUER_ID, publicKey: key.publicKey },
            { role: "app-manager" },
          );
        }
        const file = path.join(home, `AuthKey_${keyId}.p8`);
        fs.writeFileSync(file, key.pem, { mode: 0o600 });
        return { key, keyId, file };
      };
      /** Runs one action and keeps what it cost, with the facts it returns (what it showed). */
      const measure = async (name: string, action: () => Promise<Record<string, unknown> | void>) => {
        await idle();
        const toolMark = tool.started.length;
        const appleMark = apple.requests.length;
        const facts = await action();
        await idle();
        results[name] = { ...since(apple, toolMark, appleMark), ...facts };
      };

      // The key saved before the session (not counted), registered as any install since several keys has it: in the
      // saved keys' list and in LingCode's entry. (The first registration after an upgrade also moves a key that is
      // only in LingCode's entry into the list, once: bench/README.md gives that one-time cost.)
      const first = newKey();
      await registerKey(
        { kind: "team", issuerId: ISSUER_ID, keyId: first.keyId, p8Text: first.key.pem },
        { store, verify: false },
      );

      // API Key Status, cold: nothing in Raycast's cache.
      resetRaycast();
      await measure("statusCold", async () => {
        const { screen, beforeFirstPaint } = await open(<ApiKeyStatus />);
        await idle(screen);
        const shows = screen.markdown?.includes(`Key ID ${first.keyId}`) ?? false;
        await screen.unmount();
        return { beforeFirstPaint, shows };
      });

      // API Key Status, warm: the cache holds what the cold run showed; the Keychain's answer is held back past first
      // paint. Then Refresh and Verify with Apple on the same screen.
      const gate = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-bench-gate-")), "closed");
      let warm: Screen | undefined;
      await measure("statusWarm", async () => {
        fs.writeFileSync(gate, "");
        tool.gate = gate;
        const opened = await open(<ApiKeyStatus />);
        const firstPaint = { markdown: opened.screen.markdown ?? "", isLoading: opened.screen.isLoading };
        fs.rmSync(path.dirname(gate), { recursive: true, force: true });
        tool.gate = undefined;
        warm = opened.screen;
        await idle(warm);
        return {
          beforeFirstPaint: opened.beforeFirstPaint,
          firstPaintShowsKey: firstPaint.markdown.includes(`Key ID ${first.keyId}`),
        };
      });
      const refreshes: Counts[] = [];
      for (let i = 0; i < 3; i++) {
        await measure(`refresh${i}`, async () => {
          await warm!.runAction("Refresh");
          await idle(warm);
        });
        refreshes.push(results[`refresh${i}`]);
        delete results[`refresh${i}`];
      }
      results.refresh = { ...refreshes[0], each: refreshes.map((counts) => counts.reads) };
      await measure("verify", async () => {
        await warm!.runAction("Verify with Apple");
        await warm!.waitFor(() => raycast.toast !== undefined && raycast.toast.style !== "ANIMATED");
        await idle(warm);
        return { toast: raycast.toast?.title };
      });
      await warm!.unmount();

      // API Key Status opened (the cache warm) and Copy Token on it.
      await measure("statusCopyToken", async () => {
        clearTokenCache();
        const { screen } = await open(<ApiKeyStatus />);
        await idle(screen);
        await screen.runAction("Copy Token");
        await idle(screen);
        await screen.unmount();
        return { hud: raycast.huds.at(-1)?.toString() };
      });

      /** Register API Key through the form with a key, the question answered yes, up to the status it then shows. */
      const registerThroughForm = async (key: { keyId: string; file: string }) => {
        const alerts = raycast.alerts.length;
        const screen = await render(<RegisterApiKey />);
        await screen.waitFor(() => screen.view?.type === "Form" && !screen.isLoading);
        await screen.form.setValue("issuerId", ISSUER_ID);
        await screen.form.setValue("p8", [key.file]);
        await screen.form.setValue("keyId", key.keyId);
        await screen.form.setValue("trash", false);
        await screen.waitFor(() => !screen.isLoading);
        answerNextAlert(true);
        await screen.runAction("Register API Key");
        await screen.waitFor(
          () => (screen.view?.type === "Detail" && !screen.isLoading) || raycast.toast?.style === "FAILURE",
          { timeout: 20_000 },
        );
        await idle(screen);
        const shows = screen.markdown?.includes(`Key ID ${key.keyId}`) ?? false;
        const toast = raycast.toast?.title;
        await screen.unmount();
        return { shows, asked: raycast.alerts.length - alerts === 1, toast };
      };

      // A key Apple rejects (the stand-in does not know it): nothing is saved.
      const rejected = newKey({ known: false });
      await measure("registerRejected", () => registerThroughForm(rejected));

      // A second key of the same team, which LingCode switches to (the question), up to the status it then shows.
      const second = newKey();
      raycast.launches.length = 0;
      await measure("register", () => registerThroughForm(second));

      // The launcher-subtitle refresh the registration asked for, run as Raycast would run it.
      const launch = raycast.launches.find((options) => options.name === "check-api-key");
      const context = (launch?.context ?? { fromLocalStorage: true }) as { fromLocalStorage: boolean };
      await measure("subtitleRefresh", async () => {
        await runNoView(CheckApiKey, launchProps({ launchContext: context }) as never);
        return { askedByRegister: launch !== undefined, subtitle: raycast.metadata.at(-1)?.subtitle };
      });

      await measure("openTeamKeys", async () => {
        await runNoView(OpenTeamKeys);
        return { hud: raycast.huds.at(-1)?.toString() };
      });

      await measure("checkApiKey", async () => {
        clearTokenCache();
        await runNoView(CheckApiKey, launchProps() as never);
        return { subtitle: raycast.metadata.at(-1)?.subtitle };
      });

      // asc-key (the CLI, run in-process through its dispatcher, its output kept for a failure's message).
      const lines: string[] = [];
      const cli = (args: string[]) => {
        clearTokenCache();
        return ascKey(args, {
          out: (line: string) => void lines.push(line),
          err: (line: string) => void lines.push(`asc-key: ${line}`),
          stdin: new PassThrough(),
          env: { ...process.env, [SERVICE_ENV]: service, [ASC_API_URL_ENV]: apple.url },
          platform: process.platform,
        });
      };

      // asc-key register, a new key LingCode switches to again.
      const third = newKey();
      await measure("cliRegister", async () => ({
        exitStatus: await cli(["register", "--issuer-id", ISSUER_ID, "--key-id", third.keyId, "--p8", third.file]),
      }));
      expect((await store.read())?.keyId, "the CLI saved its key").toBe(third.keyId);

      // asc-key register --rotate: a new key takes the place of the key LingCode uses, which leaves the Keychain.
      const fourth = newKey();
      await measure("cliRotate", async () => ({
        exitStatus: await cli([
          "register",
          "--issuer-id",
          ISSUER_ID,
          "--key-id",
          fourth.keyId,
          "--p8",
          fourth.file,
          "--rotate",
          third.keyId,
        ]),
      }));

      // Check API Key again: the rotated key is now a retired key, asked about once more (one request).
      await measure("checkApiKeyRetired", async () => {
        clearTokenCache();
        await runNoView(CheckApiKey, launchProps() as never);
        return { subtitle: raycast.metadata.at(-1)?.subtitle };
      });
      await forgetRetiredKey(store, third.keyId).catch(() => undefined);

      expect((await store.read())?.keyId, "the rotation put its key in place").toBe(fourth.keyId);

      // asc-key import --from fastlane-json: a new key of the same team in fastlane's API key JSON, which LingCode
      // switches to.
      const fifth = newKey();
      const fastlaneJson = path.join(home, "asc.json");
      fs.writeFileSync(
        fastlaneJson,
        JSON.stringify({ key_id: fifth.keyId, issuer_id: ISSUER_ID, key: fifth.key.pem, in_house: false }),
        { mode: 0o600 },
      );
      await measure("cliImport", async () => ({
        exitStatus: await cli(["import", "--from", "fastlane-json", fastlaneJson]),
      }));
      expect((await store.read())?.keyId, "the import saved its key").toBe(fifth.keyId);

      // API Key Status (shown, not counted), then Remove Key…: LingCode uses the first key saved beside it next.
      resetRaycast();
      const status = (await open(<ApiKeyStatus />)).screen;
      await idle(status);
      await measure("removeKey", async () => {
        await status.runAction("Remove Key…");
        await status.waitFor(() => status.view?.type === "Form");
        answerNextAlert(true);
        await status.runAction("Remove Key");
        await idle(status);
        return { toast: raycast.toast?.title };
      });
      await status.unmount();

      // Register API Key through the form with the key LingCode now uses, from its file: nothing to ask, LingCode
      // keeps using it. Its form plan is applied as it is: LingCode's entry is read for the plan and read back.
      resetRaycast();
      await measure("registerNoQuestion", () => registerThroughForm(first));

      const text = (value: unknown) => JSON.stringify(value);
      fs.writeFileSync(out!, JSON.stringify(results, null, 2));
      // The counts are judged by the bench; only the measurement itself must be sound.
      expect(results.statusCold.shows, text(results.statusCold)).toBe(true);
      expect(results.statusWarm.firstPaintShowsKey, text(results.statusWarm)).toBe(true);
      expect(results.register.shows, text(results.register)).toBe(true);
      expect(results.register.asked, text(results.register)).toBe(true);
      expect(results.registerNoQuestion.shows, text(results.registerNoQuestion)).toBe(true);
      expect(results.registerNoQuestion.asked, text(results.registerNoQuestion)).toBe(false);
      expect(results.registerRejected.toast, text(results.registerRejected)).toMatch(/Rejected/);
      expect(results.statusCopyToken.hud, text(results.statusCopyToken)).toMatch(/^Copied a token/);
      expect(results.removeKey.toast, text(results.removeKey)).toMatch(/^Removed/);
      expect(results.cliRegister.exitStatus, lines.join("\n")).toBe(0);
      expect(results.cliRotate.exitStatus, lines.join("\n")).toBe(0);
      expect(results.cliImport.exitStatus, lines.join("\n")).toBe(0);
    } finally {
      tool.gate = undefined;
      await store.remove().catch(() => undefined);
      await apple.close();
      clearTokenCache();
      if (saved.HOME === undefined) delete process.env.HOME;
      else process.env.HOME = saved.HOME;
      if (saved.URL === undefined) delete process.env[ASC_API_URL_ENV];
      else process.env[ASC_API_URL_ENV] = saved.URL;
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
  300_000,
); // a shared, busy machine: the counts do not depend on the time it takes
