// 4. Bundle sizes of every command and tool from `ray build -e dist` (no .map), and where their bytes go: the same
// entry points bundled by esbuild with ray build's options (read from @raycast/api's build command) and a metafile.
// Shown without a goal: Raycast reads a bundle from local disk once per launch, and parsing 80 KiB takes about a
// millisecond, so their size is not something a user feels.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { root } from "./common.mjs";

const RAY_TIMEOUT_MS = 240_000;

/** What `ray build` gives esbuild (node_modules/@raycast/api/dist/commands/build), for the "dist" environment. */
function rayOptions(manifest) {
  return {
    platform: "node",
    target: "node22.22.2",
    bundle: true,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    minifySyntax: true,
    jsxFactory: "_jsx",
    jsxFragment: "_jsxFragment",
    loader: { ".wasm": "binary" },
    external: ["@raycast/api", "react", "react-devtools-raycast", "@parcel/source-map", ...(manifest.external ?? [])],
  };
}

/** Entry points as ray build finds them: src/<command>.{ts,tsx,js,jsx} and src/tools/<tool>.{ts,tsx}. */
function entryPoints(manifest) {
  const find = (dir, name, extensions) => {
    for (const ext of extensions) {
      const file = path.join(dir, `${name}.${ext}`);
      if (fs.existsSync(path.join(root, file))) return file;
    }
    throw new Error(`no entry point for ${name} in ${dir}`);
  };
  return [
    ...manifest.commands.map((c) => ({
      name: c.name,
      out: `${c.name}.js`,
      src: find("src", c.name, ["ts", "tsx", "js", "jsx"]),
    })),
    ...(manifest.tools ?? []).map((t) => ({
      name: t.name,
      out: `tools/${t.name}.js`,
      src: find("src/tools", t.name, ["ts", "tsx"]),
    })),
  ];
}

function rayBuild(outDir) {
  const ray = path.join(root, "node_modules/.bin/ray");
  return new Promise((resolve) => {
    const child = spawn(ray, ["build", "-e", "dist", "-o", outDir, "--non-interactive", "--exit-on-error"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), RAY_TIMEOUT_MS);
    child.on("error", (error) => resolve({ ok: false, output: error.message }));
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ ok: status === 0, output });
    });
  });
}

/** Bytes of each output by origin: a package under node_modules, or our source file. */
function breakdown(output) {
  const byOrigin = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const origin = pkg ? pkg[1] : input;
    byOrigin[origin] = (byOrigin[origin] ?? 0) + bytesInOutput;
  }
  const entries = Object.entries(byOrigin).sort((a, b) => b[1] - a[1]);
  const ownBytes = entries.filter(([origin]) => origin.startsWith("src/")).reduce((sum, [, bytes]) => sum + bytes, 0);
  return { ownBytes, top: entries.slice(0, 10).map(([origin, bytes]) => ({ origin, bytes })) };
}

export async function benchBundles({ tempDir }) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const entries = entryPoints(manifest);

  const rayDir = path.join(tempDir, "ray-build");
  const ray = await rayBuild(rayDir);

  const esbuild = await import("esbuild");
  const replicaDir = path.join(tempDir, "replica");
  const result = await esbuild.build({
    ...rayOptions(manifest),
    absWorkingDir: root,
    entryPoints: entries.map((e) => e.src),
    outbase: "src",
    outdir: replicaDir,
    metafile: true,
    logLevel: "silent",
  });
  const metaOutputs = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, output]) => [
      path.relative(replicaDir, path.resolve(root, file)),
      output,
    ]),
  );

  const source = ray.ok ? "ray build -e dist" : "esbuild with ray build's options (ray build failed)";
  const rows = entries.map((entry) => {
    const rayFile = path.join(rayDir, entry.out);
    const replica = metaOutputs[entry.out];
    const bytes = ray.ok ? fs.statSync(rayFile).size : replica.bytes;
    return {
      id: "4",
      name: `bundle: ${entry.out}`,
      kind: "size",
      unit: "bytes",
      ours: { bytes },
      source,
      replicaBytes: replica.bytes,
      ...breakdown(replica),
    };
  });
  return { rows, rayOutput: ray.ok ? undefined : ray.output.slice(-2000) };
}
