// 5. API Key Status: Keychain reads before first paint with a warm cache, and per revalidation, counted through the
// @raycast/api double by bench/status-reads.bench-test.tsx (run here with vitest).
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { root } from "./common.mjs";

function runVitest(env) {
  const vitest = path.join(
    path.dirname(createRequire(path.join(root, "package.json")).resolve("vitest/package.json")),
    "vitest.mjs",
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, "run", "--config", "bench/vitest.config.mts"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ status: 1, output: error.message }));
    child.on("close", (status) => resolve({ status, output }));
  });
}

export async function benchStatusReads({ service, tempDir }) {
  const out = path.join(tempDir, "status-reads.json");
  const { status, output } = await runVitest({
    ...process.env,
    // Its own throwaway service: the test saves and removes its own key.
    LINGCODE_KEYCHAIN_SERVICE: `${service}-status`,
    LINGCODE_BENCH_STATUS_OUT: out,
  });
  if (status !== 0 || !fs.existsSync(out)) {
    throw new Error(
      `the status-reads test failed (vitest exit ${status}):\n${output.trim().split("\n").slice(-30).join("\n")}`,
    );
  }
  const counts = JSON.parse(fs.readFileSync(out, "utf8"));
  const { warm, perRevalidation } = counts;
  return {
    counts,
    rows: [
      {
        id: "5a",
        name: "status: Keychain reads before first paint (warm cache)",
        kind: "count",
        unit: "reads",
        ours: { count: warm.beforeFirstPaint },
        goal: "0",
        met: warm.beforeFirstPaint === 0 && warm.firstPaintShowsKey,
        note: warm.firstPaintShowsKey
          ? "first paint shows the cached key while the Keychain answer is still held back"
          : "first paint did NOT show the cached key",
      },
      {
        id: "5b",
        name: "status: Keychain reads per revalidation (Refresh)",
        kind: "count",
        unit: "reads",
        ours: { count: Math.max(...perRevalidation) },
        goal: "1",
        met: perRevalidation.every((reads) => reads === 1),
        note: `reads per Refresh: ${perRevalidation.join(", ")}; after opening with a warm cache: ${warm.toLoaded}`,
      },
    ],
  };
}
