// Shared by the bench parts: timing ours against the floor in alternation, statistics, the machine, formatting,
// the throwaway key, and the core (src/lib) bundled for in-process runs.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const KIB = 1024;

/** A throwaway team key made now (never committed), as the store saves it. */
export function makeBenchRecord() {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    version: 1,
    kind: "team",
    issuerId: "57246542-96fe-1a63-e053-0824d011072a",
    keyId: "BENCH00001",
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    savedAt: new Date().toISOString(),
  };
}

/**
 * Times `ours` and `floor` in strict alternation (ours, floor, ours, floor ...), `rounds` samples each after
 * `warmup` untimed pairs. Each sample runs the operation `batch` times and keeps the mean, in milliseconds.
 */
export async function alternate({ ours, floor, rounds, batch = 1, warmup = 2 }) {
  for (let i = 0; i < warmup; i++) {
    for (let j = 0; j < batch; j++) await ours();
    for (let j = 0; j < batch; j++) await floor();
  }
  const samples = { ours: [], floor: [] };
  for (let i = 0; i < rounds; i++) {
    samples.ours.push(await timeBatch(ours, batch));
    samples.floor.push(await timeBatch(floor, batch));
  }
  return samples;
}

async function timeBatch(operation, batch) {
  const start = process.hrtime.bigint();
  for (let j = 0; j < batch; j++) await operation();
  return Number(process.hrtime.bigint() - start) / 1e6 / batch;
}

/** How many runs of `operation` fill about `targetMs` (at least 1): fast operations are timed in batches. */
export async function batchFor(operation, targetMs = 20) {
  let count = 0;
  const start = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - start) / 1e6 < targetMs) {
    await operation();
    count += 1;
  }
  return Math.max(1, count);
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export const median = (values) => quantile(values, 0.5);

/** Median, quartiles and extremes of a sample, rounded for the JSON. */
export function summary(values) {
  const round = (x) => Math.round(x * 1e4) / 1e4;
  return {
    median: round(median(values)),
    p25: round(quantile(values, 0.25)),
    p75: round(quantile(values, 0.75)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    n: values.length,
  };
}

/**
 * A timing row: medians of both, their ratio, and whether the ratio meets `maxRatio` (if there is a goal). With
 * `paired`, the ratio is the median of each round's own ratio (ours i / floor i, the two run back to back), which a
 * load that changes during the run disturbs less than the ratio of the medians.
 */
export function timingRow({ id, name, floorName, samples, maxRatio, note, paired = false }) {
  const ours = summary(samples.ours);
  const floor = summary(samples.floor);
  const raw = paired ? median(samples.ours.map((value, i) => value / samples.floor[i])) : ours.median / floor.median;
  const ratio = Math.round(raw * 100) / 100;
  const row = { id, name, kind: "time", unit: "ms", floorName, ours, floor, ratio };
  if (paired) row.pairedRatios = summary(samples.ours.map((value, i) => value / samples.floor[i]));
  if (maxRatio !== undefined) {
    row.goal = `≤ ${maxRatio}x`;
    row.met = ratio <= maxRatio;
  }
  if (note) row.note = note;
  return row;
}

/** A row for a part that could not run here, with the reason. */
export function skippedRow(id, name, reason, goal) {
  return { id, name, kind: "skipped", goal, met: null, note: reason };
}

export function formatMs(ms) {
  if (ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function formatBytes(bytes) {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}

/** Where the figures come from. The load average says how noisy the shared machine was. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpu: cpus[0]?.model?.trim() || "unknown",
    cores: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The commit measured, and whether the working tree had changes. */
export function gitState() {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: root,
      encoding: "utf8",
    });
    return { commit, dirty: dirty.trim() !== "" };
  } catch {
    return { commit: "unknown", dirty: null };
  }
}

/**
 * The core as the CLI ships it: src/lib bundled by esbuild to one CommonJS file (not minified, node20), loaded
 * here so the in-process parts time the current sources.
 */
/** Bundles `exports` (lines of `export … from "./src/…"`, relative to the project) into one CommonJS file and loads it. */
export async function loadBundle(tempDir, name, exports) {
  const esbuild = await import("esbuild");
  const outfile = path.join(tempDir, `${name}.cjs`);
  await esbuild.build({
    stdin: { contents: exports.join("\n"), resolveDir: root, loader: "ts", sourcefile: `bench-${name}.ts` },
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
  });
  return createRequire(import.meta.url)(outfile);
}

/** The core the bench times: token minting, the Keychain store, listing and registering. */
export function loadCore(tempDir) {
  return loadBundle(tempDir, "core", [
    'export { clearTokenCache, mintToken } from "./src/lib/token";',
    'export { createKeyStore, ACCOUNT } from "./src/lib/keychain";',
    'export { GENERIC_SCHEMA } from "./src/lib/keychain/linux";',
    'export { listKeys } from "./src/lib/keys";',
    'export { prepareKey, registerKey } from "./src/lib/keys";',
  ]);
}

export function makeTempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "lingcode-bench-"));
}
