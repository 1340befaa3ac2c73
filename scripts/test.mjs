#!/usr/bin/env node
// `npm test`: runs vitest, on Linux inside a private, unlocked gnome-keyring so the keyring tests run
// against a real Secret Service without touching anyone's keyring. Arguments go to `vitest run`.
//
//   npm test                         all tests
//   npm test -- test/lib/keychain    some of them
//
// With CI=true a test group that would be skipped for a missing tool fails the run instead.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { missingKeyringTools, runCommand, runInPrivateKeyring } from "./private-keyring.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const ci = process.env.CI === "true";
const TAG = "[npm test]";
const INSTALL =
  "apt-get install libsecret-tools gnome-keyring dbus libsecret-1-dev openssl libglib2.0-bin gh, then run npm install again (it builds keytar)";

const require = createRequire(path.join(root, "package.json"));
const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs");

/** Each test run gets its own service, never the real `LingCode`. */
const env = { ...process.env, LINGCODE_KEYCHAIN_SERVICE: `LingCode-test-${process.pid}` };
delete env.LINGCODE_TEST_KEYRING;
delete env.LINGCODE_TEST_KEYTAR;
delete env.LINGCODE_TEST_OPENSSL;
delete env.LINGCODE_TEST_GIO;
delete env.LINGCODE_TEST_GH;

const skipped = [];
// The README's fingerprint one-liner is checked against the real openssl.
if (spawnSync("openssl", ["version"]).status === 0) env.LINGCODE_TEST_OPENSSL = "1";
else skipped.push({ group: "README openssl one-liner test", why: "openssl not found" });
// On Linux, asc-key moves files to the Trash with GLib's gio; those tests use a private HOME and XDG_DATA_HOME.
if (process.platform === "linux") {
  if (spawnSync("gio", ["version"]).status === 0) env.LINGCODE_TEST_GIO = "1";
  else skipped.push({ group: "Linux Trash (gio trash) tests", why: "gio not found (libglib2.0-bin)" });
}
// asc-key ci is also tried against the real GitHub command line (Debian's gh), offline: an empty config and a local
// HTTP stand-in of GitHub's API.
if (spawnSync("gh", ["--version"]).status === 0) env.LINGCODE_TEST_GH = "1";
else skipped.push({ group: "real gh tests (asc-key ci)", why: "gh not found" });
let code;

// Output piped into something that stops reading (`npm test | head`) must not kill us before clean-up.
process.stdout.on("error", () => undefined);
process.stderr.on("error", () => undefined);

if (process.platform !== "darwin") {
  console.error(
    "[npm test] Not applicable here: test/**/*.darwin.test.ts need a Mac's real Keychain (a throwaway keychain file);" +
      " the security stand-in tests cover that protocol on every platform.",
  );
}

if (process.platform === "linux") {
  const missing = missingKeyringTools();
  if (missing.length > 0) {
    skipped.push({ group: "Linux keyring (Secret Service) tests", why: `${missing.join(", ")} not found` });
    skipped.push({ group: "keytar interop tests", why: "they need the keyring" });
  } else {
    const probe = 'try { require("keytar"); } catch (e) { console.error(String(e && e.message)); process.exit(1); }';
    const keytar = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
    if (keytar.status === 0) env.LINGCODE_TEST_KEYTAR = "1";
    else skipped.push({ group: "keytar interop tests", why: `keytar does not load: ${firstLine(keytar.stderr)}` });
  }
  announce();
  code = missing.length > 0 ? await run(process.execPath, [vitest, "run", ...args], env) : await runWithKeyring();
} else {
  // macOS (and any other system): the mac tests use a throwaway keychain file and the stand-in security tool; no
  // set-up needed. The groups behind HAS_KEYRING (test/support/keyring.ts) need the private Secret Service only the
  // Linux run starts, so they do not run here: say so, as for a missing tool (and fail with CI=true).
  skipped.push({
    group:
      "test groups that need the private Secret Service (describe.skipIf(!HAS_KEYRING): most command, tool and CLI tests)",
    why: `the Secret Service is Linux's; on ${process.platform} they are skipped`,
    fix: "run npm test on Linux (or in a Linux container) to run them",
  });
  announce();
  code = await run(process.execPath, [vitest, "run", ...args], env);
}

announce();
process.exit(code);

/** vitest inside `dbus-run-session`, with a gnome-keyring unlocked by a throwaway password in a fresh XDG home. */
function runWithKeyring() {
  const keyringEnv = { ...env, LINGCODE_TEST_KEYRING: "1" };
  return runInPrivateKeyring(process.execPath, [vitest, "run", ...args], { env: keyringEnv, cwd: root, tag: TAG });
}

function run(command, argv, childEnv) {
  return runCommand(command, argv, { env: childEnv, cwd: root, tag: TAG });
}

/** Printed at the start and at the end, so it is seen whichever end of the output one reads. */
function announce() {
  if (skipped.length === 0) return;
  const lines = [
    ci ? "[npm test] CI=true and test groups would be skipped; failing:" : "[npm test] Skipped test groups:",
    ...skipped.map(({ group, why }) => `  - ${group}: ${why}`),
    ...skipped.filter(({ fix }) => fix).map(({ group, fix }) => `  ${group.split(" (")[0]}: ${fix}.`),
    ...(skipped.some(({ fix }) => !fix) ? [`  To run them: ${INSTALL}.`] : []),
  ];
  console.error(`\n${lines.join("\n")}\n`);
  if (ci) process.exit(1);
}

function firstLine(text) {
  return (text || "no output").trim().split("\n")[0].slice(0, 160);
}
