#!/usr/bin/env node
// npm run dev: `ray develop`, which imports the extension into Raycast and rebuilds it as you edit. Raycast runs on
// macOS only, so anywhere else this says so in one line and exits 1 (ray itself would end in a stack trace about
// xdg-open there), pointing at what does run everywhere: the asc-key command line.
//
//   npm run dev [-- <ray develop options>]
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (process.platform !== "darwin") {
  process.stderr.write(
    `npm run dev needs Raycast, which runs on macOS only (this is ${process.platform}); here, try the command line: npx asc-key status\n`,
  );
  process.exit(1);
}

const ray = path.join(root, "node_modules", ".bin", "ray");
const child = spawn(ray, ["develop", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
// Ctrl-C reaches ray from the terminal by itself: wait for it to end. A signal sent to this process alone is passed on.
process.on("SIGINT", () => undefined);
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  process.stderr.write(
    error.code === "ENOENT"
      ? "npm run dev needs Raycast's ray command from node_modules: run npm install first.\n"
      : `npm run dev could not start ray develop (${error.code ?? "unknown error"}).\n`,
  );
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
