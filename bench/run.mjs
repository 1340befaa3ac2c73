#!/usr/bin/env node
// npm run bench: what a user feels. Per action, how often the secret is read, written and sent to Apple, against
// goals (part 5); and how close each timing comes to its floor: ours against a bare process or call doing the same
// unavoidable work, measured in strict alternation in one run (the machine may be shared and noisy: only the ratios
// hold). Bundle sizes and token times are shown without a goal. Prints the tables and writes them with the
// machine's details to bench/results/latest.json.
//
//   npm run bench                    everything (one to two minutes)
//   npm run bench -- --only 1,3      some parts: 1 token, 2 keychain read, 3 CLI, 4 bundle sizes, 5 per action,
//                                    6 asc-key exec, 7 capability check, 8 API Keys listing
//
// On Linux the keychain parts run against a private, unlocked gnome-keyring in a temporary home with a throwaway
// service (scripts/private-keyring.mjs); nobody's keyring is touched. Elsewhere they are skipped.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { missingKeyringTools, runInPrivateKeyring } from "../scripts/private-keyring.mjs";
import { benchActions } from "./parts/actions.mjs";
import { benchBundles } from "./parts/bundles.mjs";
import { benchCapabilities } from "./parts/capabilities.mjs";
import { benchCli } from "./parts/cli.mjs";
import { benchExec } from "./parts/exec.mjs";
import {
  formatBytes,
  formatMs,
  gitState,
  loadCore,
  machineInfo,
  makeBenchRecord,
  makeTempDir,
  root,
  skippedRow,
} from "./parts/common.mjs";
import { benchKeychain } from "./parts/keychain.mjs";
import { benchListing } from "./parts/listing.mjs";
import { benchToken } from "./parts/token.mjs";

const TAG = "[bench]";
const INSIDE = "LINGCODE_BENCH_KEYRING";
const PARTS = ["1", "2", "3", "4", "5", "6", "7", "8"];
const KEYRING_PARTS = ["2", "3", "5", "6", "8"];
const INSTALL = "apt-get install libsecret-tools gnome-keyring dbus";

const only = parseOnly(process.argv.slice(2));
const wants = (part) => only.includes(part);

if (process.platform === "linux" && process.env[INSIDE] !== "1" && KEYRING_PARTS.some(wants)) {
  const missing = missingKeyringTools();
  if (missing.length === 0) {
    // Again, inside a private keyring with a throwaway service (never `LingCode`).
    const env = { ...process.env, [INSIDE]: "1", LINGCODE_KEYCHAIN_SERVICE: `LingCode-bench-${process.pid}` };
    const self = fileURLToPath(import.meta.url);
    process.exit(
      await runInPrivateKeyring(process.execPath, [self, ...process.argv.slice(2)], { env, cwd: root, tag: TAG }),
    );
  }
  await main(`${missing.join(", ")} not found; to run it: ${INSTALL}`);
} else {
  await main(keyringUnavailable());
}

/** Why the keychain parts cannot run here, or undefined when they can. */
function keyringUnavailable() {
  if (process.platform !== "linux") {
    return "Linux only: elsewhere it would need the user's own Keychain";
  }
  if (process.env[INSIDE] !== "1") return "not inside the bench's private keyring";
  const service = process.env.LINGCODE_KEYCHAIN_SERVICE ?? "";
  if (!service.startsWith("LingCode-bench-")) return "no throwaway service name";
  return undefined;
}

async function main(noKeyring) {
  const started = Date.now();
  const tempDir = makeTempDir();
  const rows = [];
  const details = {};
  let failed = false;
  const step = (text) => console.error(`${TAG} ${text}`);
  const part = async (id, name, run, goal) => {
    if (!wants(id)) return;
    step(`${id}. ${name}`);
    try {
      rows.push(...(await run()));
    } catch (error) {
      failed = true;
      console.error(`${TAG} part ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      rows.push({ ...skippedRow(id, name, "failed: see the output above", goal), kind: "error" });
    }
  };

  const machine = machineInfo();
  step(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage.join(" ")}`);
  try {
    const core = await loadCore(tempDir);
    const record = makeBenchRecord();
    const service = process.env.LINGCODE_KEYCHAIN_SERVICE;
    const store = noKeyring ? undefined : core.createKeyStore({ service });

    await part("1", "token minting in-process", () => benchToken({ core, record }));
    await part("7", "capability check (stand-in)", () => benchCapabilities({ tempDir, record }), "≤ 1.3x");
    if (store) await store.write(record);
    try {
      if (noKeyring) {
        for (const [id, name, goal] of [
          ["2", "keychain: store.read()", "≤ 1.3x"],
          ["3", "cli: token and status", "≤ 1.25x"],
          ["5", "per action: Keychain reads and writes, Apple requests", "counts"],
          ["6", "exec: asc-key exec -- true", "≤ 1.3x"],
        ]) {
          if (wants(id)) rows.push(skippedRow(id, name, noKeyring, goal));
        }
      } else {
        await part("2", "keychain read", () => benchKeychain({ store, record }), "≤ 1.3x");
        await part("3", "the CLI, whole process", () => benchCli({ bin: buildCli() }), "≤ 1.25x");
        await part("8", "API Keys listing with 1, 10 and 50 keys", () => benchListing({ core, service }), "linear");
        await part(
          "6",
          "asc-key exec -- true, whole process",
          () => benchExec({ bin: buildCli(), service: store.service, account: store.account }),
          "≤ 1.3x",
        );
        await part(
          "5",
          "per action: Keychain reads and writes, Apple requests (vitest)",
          async () => {
            const result = await benchActions({ service, tempDir });
            details.actions = result.results;
            return result.rows;
          },
          "counts",
        );
      }
    } finally {
      if (store) await store.remove();
    }
    await part("4", "bundle sizes (ray build -e dist)", async () => {
      const result = await benchBundles({ tempDir });
      if (result.rayOutput) details.rayBuildOutput = result.rayOutput;
      return result.rows;
    });
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }

  rows.sort((a, b) => a.id.localeCompare(b.id));
  // The load at the end too: the machine is shared, and the figures are only as quiet as it was.
  machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  step(`load at the end ${machine.loadAverageAtEnd.join(" ")}`);
  const report = {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    machine,
    git: gitState(),
    method:
      "Medians over strict alternation (ours, floor, ours, floor ...) in one run; ratio = ours median / floor median, " +
      "or for the rows with pairedRatios the median of each pair's ratio (ours i / floor i). " +
      "Fast operations are timed in batches (sample = batch mean).",
    rows,
    details,
  };
  const others = rows.filter((row) => row.kind !== "actions");
  const actions = rows.filter((row) => row.kind === "actions");
  if (others.length > 0) console.log(table(others));
  if (actions.length > 0) console.log(`${others.length > 0 ? "\n" : ""}${actionsTable(actions)}`);
  const misses = rows.filter((row) => row.met === false);
  const resultsDir = path.join(root, "bench/results");
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `\n${rows.filter((r) => r.met === true).length} goals met, ${misses.length} missed, ` +
      `${rows.filter((r) => r.kind === "skipped").length} skipped; ${report.durationSeconds} s. ` +
      `Written to bench/results/latest.json.`,
  );
  process.exitCode = failed ? 1 : 0;
}

/** The bin of package.json, rebuilt first if src/cli or src/lib changed since (scripts/build-cli.mjs --if-stale). */
function buildCli() {
  execFileSync(process.execPath, [path.join(root, "scripts/build-cli.mjs"), "--if-stale"], {
    cwd: root,
    stdio: "inherit",
  });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin || !fs.existsSync(path.join(root, bin))) throw new Error(`the CLI (${bin ?? "no bin"}) was not built`);
  return bin;
}

function table(rows) {
  const header = ["#", "name", "ours (median)", "floor (median)", "ratio", "goal", "met?"];
  const lines = rows.map((row) => {
    const met = row.met === true ? "yes" : row.met === false ? "NO" : "—";
    if (row.kind === "time") {
      return [
        row.id,
        row.name,
        formatMs(row.ours.median),
        formatMs(row.floor.median),
        `${row.ratio.toFixed(2)}x`,
        row.goal ?? "—",
        met,
      ];
    }
    if (row.kind === "size") return [row.id, row.name, formatBytes(row.ours.bytes), "—", "—", "—", met];
    if (row.kind === "count") return [row.id, row.name, String(row.ours.count), "—", "—", row.goal, met];
    return [row.id, row.name, "—", "—", "—", row.goal ?? "—", row.kind === "error" ? "failed" : `skipped: ${row.note}`];
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((line) => line[i].length)));
  const format = (cells) =>
    cells.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ");
  const floors = [...new Set(rows.filter((r) => r.floorName).map((r) => `${r.id}: ${r.floorName}`))];
  const lines2 = [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)];
  if (floors.length > 0) lines2.push("", `floors: ${floors.join("; ")}`);
  return lines2.join("\n");
}

/** Part 5: one line per action, each count with its goal in brackets, e.g. "2 (≤ 2)". */
function actionsTable(rows) {
  const header = [
    "#",
    "action",
    "LingCode's entry read",
    "Keychain reads",
    "Keychain writes",
    "Apple requests",
    "met?",
  ];
  const withGoal = (value, goal) => (goal === undefined ? String(value) : `${value} (${goal})`);
  const lines = rows.map((row) => {
    const { ours, goal } = row;
    const reads =
      ours.readsBeforeFirstPaint === undefined
        ? withGoal(ours.reads, goal.reads)
        : `${withGoal(ours.readsBeforeFirstPaint, goal.readsBeforeFirstPaint)} before first paint, ` +
          `${withGoal(ours.reads, goal.reads)} in all`;
    const requests =
      goal.checks === undefined
        ? withGoal(ours.requests, goal.requests)
        : `${withGoal(ours.checks, goal.checks)} check + ${withGoal(ours.probes, goal.probes)} probe`;
    const writes =
      withGoal(ours.writes, goal.writes) +
      (ours.removals > 0 || goal.removals !== undefined ? `, ${withGoal(ours.removals, goal.removals)} removed` : "");
    const entry =
      withGoal(ours.entryReads, goal.entryReads) + (ours.entryReadsExtra > 0 ? ` + ${ours.entryReadsExtra} extra` : "");
    return [row.id, row.name, entry, reads, writes, requests, row.met ? "yes" : "NO"];
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  const notes = rows.filter((row) => row.note).map((row) => `${row.id}: ${row.note}`);
  return [
    "Per action (goal in brackets; check = GET /v1/apps, probe = the privilege probe, GET /v1/users):",
    format(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...lines.map(format),
    ...(notes.length > 0 ? ["", ...notes] : []),
  ].join("\n");
}

function parseOnly(args) {
  const index = args.indexOf("--only");
  const value = index >= 0 ? args[index + 1] : args.find((arg) => arg.startsWith("--only="))?.slice(7);
  if (value === undefined) {
    if (args.length > 0) usage(`unknown arguments: ${args.join(" ")}`);
    return PARTS;
  }
  const parts = value.split(",").map((p) => p.trim());
  if (parts.some((p) => !PARTS.includes(p))) usage(`--only takes part numbers from ${PARTS.join(",")}`);
  return parts;
}

function usage(problem) {
  console.error(`${TAG} ${problem}\nusage: npm run bench [-- --only 1,2,3,4,5,6,7]`);
  process.exit(2);
}
