// 5. Per action: Keychain reads and writes and requests to Apple, counted through the @raycast/api double (and the
// CLI's in-process entry) by bench/actions.bench-test.tsx, run here with vitest, and judged against their goals.
// The secret is read only where it is needed: to sign a request, to show what the Keychain holds now, to ask before
// replacing a key and to read a write back.
//
// A registration writes three items: the new key's own item and the saved keys' list (both under
// `<service> Saved Keys`), then LingCode's entry. Each is read back at once, which is how a change made by another
// process at the same moment is caught instead of silently lost. Before that it reads LingCode's entry and the list
// (what it replaces, where the new key goes). The form plans once before it asks its question (the same two reads),
// and the core plans again after the answer: a dialog can stay open for minutes, and a list written from an older
// reading would drop a key another process saved meanwhile.
const REGISTER_WRITES = 3; // the key's item, the list, LingCode's entry
const REGISTER_READS = 2 + REGISTER_WRITES; // LingCode's entry and the list, then each write read back
const ROTATE_WRITES = REGISTER_WRITES + 1; // and the list again, without the old key
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

/** A goal on one count: exactly `n`, or at most `n`. */
const exactly = (n) => ({ text: String(n), ok: (value) => value === n });
const atMost = (n) => ({ text: `≤ ${n}`, ok: (value) => value <= n });

/**
 * Each action: what it costs and the goal for each count. `reads` is every Keychain read the action started;
 * `readsBeforeFirstPaint` those started before the view's first render was committed.
 */
const ACTIONS = [
  {
    id: "5a",
    name: "Open Team Keys",
    result: "openTeamKeys",
    goals: { reads: exactly(0), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5b",
    name: "API Key Status, opened (status cached from the last run)",
    result: "statusWarm",
    goals: { readsBeforeFirstPaint: exactly(0), reads: exactly(1), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5c",
    name: "API Key Status, opened with nothing cached",
    result: "statusCold",
    goals: { readsBeforeFirstPaint: exactly(0), reads: exactly(1), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5d",
    name: "API Key Status: Refresh",
    result: "refresh",
    goals: { reads: exactly(1), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5e",
    name: "API Key Status: Verify with Apple",
    result: "verify",
    goals: { reads: exactly(1), writes: exactly(0), checks: exactly(1), probes: exactly(0) },
  },
  {
    id: "5f",
    name: "Register API Key (form): a new key LingCode switches to, to the status shown",
    result: "register",
    goals: {
      reads: exactly(REGISTER_READS + 2), // + LingCode's entry and the list, read before the form asks
      writes: exactly(REGISTER_WRITES),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5g",
    name: "launcher subtitle refresh after it (fromLocalStorage)",
    result: "subtitleRefresh",
    goals: { reads: exactly(0), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5h",
    name: "Check API Key",
    result: "checkApiKey",
    goals: { reads: exactly(1), writes: exactly(0), checks: exactly(1), probes: exactly(0) },
  },
  {
    id: "5i",
    name: "asc-key register: a new key LingCode switches to",
    result: "cliRegister",
    goals: { reads: exactly(REGISTER_READS), writes: exactly(REGISTER_WRITES), checks: exactly(1), probes: atMost(1) },
  },
  {
    id: "5j",
    name: "asc-key register --rotate the key LingCode uses",
    result: "cliRotate",
    // The list is written twice: the new key's line goes in before its item and LingCode's entry are written, and the
    // old key's line comes out last, after its item is removed.
    goals: {
      reads: exactly(2 + ROTATE_WRITES),
      writes: exactly(ROTATE_WRITES),
      removals: exactly(1),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
];

/** The counts of one result, as the goals name them. */
function countsOf(result) {
  return {
    reads: result.reads,
    readsBeforeFirstPaint: result.beforeFirstPaint,
    writes: result.writes,
    removals: result.removals,
    checks: result.checks,
    probes: result.probes,
    requests: result.checks + result.probes + result.otherRequests,
    otherRequests: result.otherRequests,
    other: result.other,
  };
}

function row(action, result) {
  const counts = countsOf(result);
  const misses = Object.entries(action.goals)
    .filter(([what, goal]) => !goal.ok(counts[what]))
    .map(([what, goal]) => `${what} ${counts[what]} (goal ${goal.text})`);
  // Requests nobody planned for, and Keychain runs other than reads and writes, miss whatever the goals say.
  if (counts.otherRequests > 0) misses.push(`${counts.otherRequests} other requests`);
  if (counts.other > 0) misses.push(`${counts.other} other Keychain runs`);
  const goal = Object.fromEntries(Object.entries(action.goals).map(([what, g]) => [what, g.text]));
  const notes = [];
  if (result.each) notes.push(`reads per Refresh: ${result.each.join(", ")}`);
  if (result.subtitle) notes.push(`subtitle: ${result.subtitle}`);
  if (result.hud) notes.push(`HUD: ${result.hud}`);
  if (misses.length > 0) notes.push(`missed: ${misses.join("; ")}`);
  return {
    id: action.id,
    name: action.name,
    kind: "actions",
    ours: counts,
    goal,
    met: misses.length === 0,
    keychain: result.keychain,
    requests: result.requests,
    note: notes.join("; ") || undefined,
  };
}

export async function benchActions({ service, tempDir }) {
  const out = path.join(tempDir, "actions.json");
  const { status, output } = await runVitest({
    ...process.env,
    // Its own throwaway service: the test saves and removes its own keys.
    LINGCODE_KEYCHAIN_SERVICE: `${service}-actions`,
    LINGCODE_BENCH_ACTIONS_OUT: out,
  });
  if (status !== 0 || !fs.existsSync(out)) {
    throw new Error(
      `the per-action test failed (vitest exit ${status}):\n${output.trim().split("\n").slice(-30).join("\n")}`,
    );
  }
  const results = JSON.parse(fs.readFileSync(out, "utf8"));
  return {
    results,
    rows: ACTIONS.map((action) => {
      const result = results[action.result];
      if (!result) throw new Error(`the per-action test measured no ${action.result}`);
      return row(action, result);
    }),
  };
}
