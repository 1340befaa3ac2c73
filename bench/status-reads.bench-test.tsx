/**
 * npm run bench, part 5: how often API Key Status reads the Keychain, counted as the secret-tool processes the store
 * starts while the command is driven through the @raycast/api double. Run by bench/run.mjs (vitest with
 * bench/vitest.config.mts) inside its private keyring, with LINGCODE_KEYCHAIN_SERVICE set to a throwaway service;
 * the counts are written to $LINGCODE_BENCH_STATUS_OUT for the bench's table.
 *
 * - Before first paint: reads started when the first render has been committed (a layout effect of a wrapper runs
 *   after the command's own layout effects and before any passive effect).
 * - Warm cache: Raycast's cache holds what the previous run showed. While that run's lookups are held back (a gate
 *   file, so the answer cannot arrive early), the screen must already show the key.
 * - Per revalidation: lookups started by one "Refresh".
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { useLayoutEffect, type ReactNode } from "react";
import { expect, it, vi } from "vitest";
import Command from "../src/api-key-status";
import { SERVICE_ENV } from "../src/cli/settings";
import { createKeyStore, DEFAULT_SERVICE } from "../src/lib/keychain";
import { clearTokenCache } from "../src/lib/token";
import { flush, render, type Screen } from "../test/raycast/harness";
import { makeRecord } from "../test/support/keys";

interface Counter {
  started: string[];
  finished: number;
  gate?: string;
}

const tool = vi.hoisted((): Counter => ({ started: [], finished: 0 }));

vi.mock("node:child_process", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:child_process")>();
  const spawn = (file: string, args: readonly string[], options: object) => {
    if (!/(^|\/)secret-tool$/.test(file)) return actual.spawn(file, args, options);
    tool.started.push(args[0] ?? "");
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

const out = process.env.LINGCODE_BENCH_STATUS_OUT;
const service = process.env[SERVICE_ENV];

const lookups = () => tool.started.filter((command) => command === "lookup").length;
const settled = () => tool.finished === tool.started.length;

function FirstPaint({ children, onCommit }: { children: ReactNode; onCommit: () => void }) {
  useLayoutEffect(() => {
    onCommit();
  }, []);
  return <>{children}</>;
}

/** Renders the command; resolves with the screen and the lookups started by the time its first render committed. */
async function open(): Promise<{ screen: Screen; beforeFirstPaint: number }> {
  let beforeFirstPaint = -1;
  const screen = await render(
    <FirstPaint
      onCommit={() => {
        beforeFirstPaint = lookups();
      }}
    >
      <Command />
    </FirstPaint>,
  );
  return { screen, beforeFirstPaint };
}

async function idle(screen: Screen) {
  await screen.waitFor(() => settled() && !screen.isLoading, { timeout: 20_000 });
  await flush();
}

it.skipIf(!out)("API Key Status: Keychain reads before first paint and per revalidation", async () => {
  if (!service || service === DEFAULT_SERVICE) throw new Error(`${SERVICE_ENV} must name a throwaway service`);
  const store = createKeyStore({ service });
  const record = makeRecord({ kind: "team" });
  await store.write(record);
  const shown = `Key ID ${record.keyId}`;

  // Cold: nothing in Raycast's cache yet.
  tool.started = [];
  tool.finished = 0;
  const cold = await open();
  await idle(cold.screen);
  expect(cold.screen.markdown).toContain(shown);
  const coldResult = { beforeFirstPaint: cold.beforeFirstPaint, toLoaded: lookups(), commands: [...tool.started] };
  await cold.screen.unmount();

  // Warm: the cache holds the status the cold run showed; the Keychain's answer is held back past first paint.
  const gate = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-bench-gate-")), "closed");
  fs.writeFileSync(gate, "");
  tool.gate = gate;
  tool.started = [];
  tool.finished = 0;
  const warm = await open();
  const firstPaint = { markdown: warm.screen.markdown ?? "", isLoading: warm.screen.isLoading };
  fs.rmSync(path.dirname(gate), { recursive: true, force: true });
  tool.gate = undefined;
  await idle(warm.screen);
  const warmResult = {
    beforeFirstPaint: warm.beforeFirstPaint,
    toLoaded: lookups(),
    firstPaintShowsKey: firstPaint.markdown.includes(shown),
    firstPaintLoading: firstPaint.isLoading,
    commands: [...tool.started],
  };

  // Revalidation: "Refresh", three times.
  const perRevalidation: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = lookups();
    await warm.screen.runAction("Refresh");
    await idle(warm.screen);
    perRevalidation.push(lookups() - before);
  }
  expect(warm.screen.markdown).toContain(shown);

  await store.remove();
  clearTokenCache();
  fs.writeFileSync(out!, JSON.stringify({ cold: coldResult, warm: warmResult, perRevalidation }, null, 2));
  // The counts are judged by the bench; only the measurement itself must be sound.
  expect(warmResult.firstPaintShowsKey).toBe(true);
});
