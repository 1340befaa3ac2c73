// 5. Per action: Keychain reads and writes and requests to Apple, counted through the @raycast/api double (and the
// CLI's in-process entry) by bench/actions.bench-test.tsx, run here with vitest, and judged against their goals.
// The secret is read only where it is needed: to sign a request, to show what the Keychain holds now, to ask before
// replacing a key and to read a write back.
//
// A registration writes three items: the new key's own item and the saved keys' list (both under
// `<service> Saved Keys`), then LingCode's entry. Each is read back at once, which is how a change made by another
// process at the same moment is caught instead of silently lost. Before that it reads LingCode's entry and the list
// once: that read is the plan (what it replaces, where the new key goes, whether LingCode uses it). When the user is
// shown the plan (a question, or the form, which plans as soon as its three fields are valid), applying it reads
// LingCode's entry and the list once more, after Apple's answer, to find what changed meanwhile.
//
// The items are the truth and the list a cache of them (docs/keychain-entry.md): every plan also lists the saved keys'
// items without reading a secret (`security dump-keychain`, `secret-tool search`), to rebuild a list that lost a key.
// And the writes run under the saved keys' lock, which reads the list once more when it is taken (the plan was read
// outside it, maybe minutes before): what another command saved meanwhile is kept, not written over.
const REGISTER_WRITES = 3; // the key's item, the list, LingCode's entry
const PLAN_READS = 3; // LingCode's entry, the list, the listing of the items
const LOCK_READS = 1; // the list, read again when the lock is taken for the writes
const REGISTER_READS = PLAN_READS + LOCK_READS + REGISTER_WRITES; // then each write read back
const ROTATE_WRITES = REGISTER_WRITES + 1; // and the list again, without the old key
// A rotation keeps the old key as a retired key (docs/revocation.md): the list of retired keys, then its item, each
// read back.
const RETIRE_WRITES = 2;
// The list of retired keys (nothing secret), which API Key Status and Check API Key read once: one `lookup`, and
// when there is none (no rotation yet) the `search` that tells a locked keyring from an empty one.
const RETIRED_LIST_READS = 2;

/**
 * Reads of LingCode's entry (service, account `asc-api-key`), the item another app wrote: on macOS each can bring an
 * unlock or "allow" dialog. A read that finds nothing may cost a second process on Linux (a `search` telling a locked
 * keyring from an empty one): counted apart, as `entryReadsExtra`, with no goal.
 */
const ENTRY_READS = {
  registerNoQuestion: 2, // the plan, the read-back
  registerAsked: 3, // the plan, the second look after the question, the read-back
  rejected: 1, // the plan; Apple answers before the second look
  statusCopyToken: 2, // the status shown, the token's key
  // The plan the dialog asks about (planRemoval), the removal's own look under the saved keys' lock (a stale plan
  // is refused there), the read-back of the key LingCode uses next.
  remove: 3,
  none: 0,
  check: 1,
};

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
    goals: { entryReads: exactly(ENTRY_READS.none), reads: exactly(0), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5b",
    name: "API Key Status, opened (status cached from the last run)",
    result: "statusWarm",
    goals: {
      entryReads: exactly(1),
      readsBeforeFirstPaint: exactly(0),
      reads: exactly(1 + RETIRED_LIST_READS),
      writes: exactly(0),
      requests: exactly(0),
    },
  },
  {
    id: "5c",
    name: "API Key Status, opened with nothing cached",
    result: "statusCold",
    goals: {
      entryReads: exactly(1),
      readsBeforeFirstPaint: exactly(0),
      reads: exactly(1 + RETIRED_LIST_READS),
      writes: exactly(0),
      requests: exactly(0),
    },
  },
  {
    id: "5d",
    name: "API Key Status: Refresh",
    result: "refresh",
    goals: { entryReads: exactly(1), reads: exactly(1 + RETIRED_LIST_READS), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5e",
    name: "API Key Status: Verify with Apple",
    result: "verify",
    goals: { entryReads: exactly(1), reads: exactly(1), writes: exactly(0), checks: exactly(1), probes: exactly(0) },
  },
  {
    id: "5f",
    name: "Register API Key (form): a new key LingCode switches to (asked), to the status shown",
    result: "register",
    goals: {
      entryReads: exactly(ENTRY_READS.registerAsked),
      // + the plan read again after the question, and the status shown after it (with the list of retired keys)
      reads: exactly(REGISTER_READS + PLAN_READS + RETIRED_LIST_READS),
      writes: exactly(REGISTER_WRITES),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5f2",
    name: "Register API Key (form): the key LingCode uses, again (no question), to the status shown",
    result: "registerNoQuestion",
    // The form's own plan, made moments before, is applied as it is: no second look after Apple's answer.
    goals: {
      entryReads: exactly(ENTRY_READS.registerNoQuestion),
      writes: exactly(REGISTER_WRITES),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5g",
    name: "launcher subtitle refresh after it (fromLocalStorage)",
    result: "subtitleRefresh",
    goals: { entryReads: exactly(ENTRY_READS.none), reads: exactly(0), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5h",
    name: "Check API Key",
    result: "checkApiKey",
    goals: {
      entryReads: exactly(ENTRY_READS.check),
      reads: exactly(1 + RETIRED_LIST_READS),
      writes: exactly(0),
      checks: exactly(1),
      probes: exactly(0),
    },
  },
  {
    id: "5h2",
    name: "Check API Key with a retired key (the key a rotation took out of use)",
    result: "checkApiKeyRetired",
    // One check more per retired key not yet proven revoked; its item read once, its line written once.
    goals: {
      entryReads: exactly(ENTRY_READS.check),
      checks: exactly(2),
      probes: exactly(0),
    },
  },
  {
    id: "5i",
    name: "asc-key register: a new key LingCode switches to",
    result: "cliRegister",
    goals: {
      entryReads: exactly(ENTRY_READS.registerNoQuestion),
      reads: exactly(REGISTER_READS),
      writes: exactly(REGISTER_WRITES),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5j",
    name: "asc-key register --rotate the key LingCode uses",
    result: "cliRotate",
    // The list is written twice: the new key's line goes in before its item and LingCode's entry are written, and the
    // old key's line comes out last, after its item is removed; before that the old key is kept as a retired key (its
    // line in the list of retired keys, read first, then its item).
    goals: {
      entryReads: exactly(ENTRY_READS.registerNoQuestion),
      reads: exactly(PLAN_READS + LOCK_READS + ROTATE_WRITES + RETIRE_WRITES + RETIRED_LIST_READS),
      writes: exactly(ROTATE_WRITES + RETIRE_WRITES),
      removals: exactly(1),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5n",
    name: "asc-key import --from fastlane-json: a new key LingCode switches to",
    result: "cliImport",
    // A registration like `asc-key register` (5i): the key is chosen from the file alone, and the registration's one
    // plan says whether it is saved already, so LingCode's entry is not read a third time to classify it.
    goals: {
      entryReads: exactly(ENTRY_READS.registerNoQuestion),
      reads: exactly(REGISTER_READS),
      writes: exactly(REGISTER_WRITES),
      checks: exactly(1),
      probes: atMost(1),
    },
  },
  {
    id: "5k",
    name: "register, a key Apple rejects (form; a team key is asked once more, as an individual key)",
    result: "registerRejected",
    // The check, then one more only on a 401: the same key as an individual key (no iss, sub "user").
    goals: {
      entryReads: exactly(ENTRY_READS.rejected),
      writes: exactly(0),
      checks: exactly(2),
      probes: exactly(0),
      requests: exactly(2),
    },
  },
  {
    id: "5l",
    name: "API Key Status shown, then Copy Token",
    result: "statusCopyToken",
    goals: { entryReads: exactly(ENTRY_READS.statusCopyToken), writes: exactly(0), requests: exactly(0) },
  },
  {
    id: "5m",
    name: "API Key Status: Remove Key… (LingCode uses another saved key next)",
    result: "removeKey",
    goals: { entryReads: exactly(ENTRY_READS.remove), requests: exactly(0) },
  },
];

/** The counts of one result, as the goals name them. */
function countsOf(result) {
  return {
    entryReads: result.entryReads,
    entryReadsExtra: result.entryReadsExtra,
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
  if (result.entryReadsExtra)
    notes.push(`second processes of entry reads that found nothing: ${result.entryReadsExtra}`);
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
