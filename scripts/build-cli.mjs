#!/usr/bin/env node
// Bundles the asc-key command line (src/cli/asc-key.ts) into one plain CommonJS file, dist-cli/asc-key.js, so
// `node dist-cli/asc-key.js token` starts fast with no TypeScript loader. Runs as `prepare` on `npm install`.
//
//   node scripts/build-cli.mjs                always build
//   node scripts/build-cli.mjs --if-stale     build only when the bundle is missing or older than src/ (quiet)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "src/cli/asc-key.ts");
const outDir = path.join(root, "dist-cli");
const outFile = path.join(outDir, "asc-key.js");
const ifStale = process.argv.includes("--if-stale");

if (ifStale && !isStale()) process.exit(0);

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  // `npm install --omit=dev` has no esbuild; the extension itself does not need the CLI.
  // With --if-stale, an existing (older) bundle is still better than none.
  console.error("[build:cli] esbuild is not installed (dev dependency); the asc-key command line was not built.");
  process.exit(ifStale && !fs.existsSync(outFile) ? 1 : 0);
}

fs.mkdirSync(outDir, { recursive: true });
// Written next to the bundle and renamed over it, so a CLI started meanwhile never reads half a file.
const tempFile = path.join(outDir, `.asc-key.${process.pid}.js`);
try {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: tempFile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    banner: { js: "#!/usr/bin/env node" },
    minify: false,
    legalComments: "none",
    logLevel: "warning",
    // The CLI must never load Raycast: fail the build if anything pulls it in.
    plugins: [noRaycast()],
  });
  if (result.errors.length > 0) throw new Error("esbuild reported errors");
  fs.chmodSync(tempFile, 0o755);
  fs.renameSync(tempFile, outFile);
} catch (error) {
  fs.rmSync(tempFile, { force: true });
  console.error(`[build:cli] ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  process.exit(1);
}

function noRaycast() {
  return {
    name: "no-raycast",
    setup(build) {
      build.onResolve({ filter: /^@raycast\// }, (args) => ({
        errors: [
          { text: `${args.path} imported from ${path.relative(root, args.importer)}: the CLI runs without Raycast` },
        ],
      }));
    },
  };
}

/** Missing, or older than any file under src/cli, src/lib or this script. */
function isStale() {
  let built;
  try {
    built = fs.statSync(outFile).mtimeMs;
  } catch {
    return true;
  }
  const sources = [path.join(root, "src/cli"), path.join(root, "src/lib"), fileURLToPath(import.meta.url)];
  return sources.some((source) => newestMtime(source) > built);
}

function newestMtime(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newestMtime(path.join(file, name))));
}
