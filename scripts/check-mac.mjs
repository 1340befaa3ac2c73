#!/usr/bin/env node
// `npm run check:mac`: the Mac check in one command. On macOS it runs the tests against the real /usr/bin/security
// (test/**/*.darwin.test.ts), then a full asc-key flow (register, status, token, a second key, use, rename, rotate,
// exec, export, remove) against a throwaway keychain file made with `security create-keychain` (asc-key reaches it
// through LINGCODE_KEYCHAIN_FILE, never the login keychain), deletes that keychain, and prints one verdict line.
// Exit 0: passed; 1: a step failed (the line names it); 2: not macOS, nothing was checked.
//
// What it cannot check stays in CONTRIBUTING.md's manual list: the Always Allow dialog, and Raycast itself.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const NEEDS_MACOS = 2;

/**
 * Runs the check and returns { status, verdict }. Options (the test's seams): platform, security (the `security`
 * tool; a stand-in is handed to asc-key through LINGCODE_TEST_SECURITY_TOOL), darwinTests (false: skip them), env
 * (extra environment for every tool run).
 */
export function checkMac(options = {}) {
  const platform = options.platform ?? process.platform;
  if (platform !== "darwin") {
    return {
      status: NEEDS_MACOS,
      verdict: `check:mac needs macOS (this is ${platform}); nothing was checked.`,
    };
  }
  const security = options.security ?? "/usr/bin/security";
  const dir = mkdtempSync(path.join(tmpdir(), "lingcode-check-mac-"));
  const keychain = path.join(dir, "check.keychain-db");
  const env = {
    ...process.env,
    ...options.env,
    LINGCODE_KEYCHAIN_SERVICE: `LingCode-check-${process.pid}`,
    LINGCODE_KEYCHAIN_FILE: keychain,
    LINGCODE_LOCK_DIR: path.join(dir, "locks"),
    LINGCODE_ASC_API_URL: "http://127.0.0.1:9",
  };
  if (options.security !== undefined) env.LINGCODE_TEST_SECURITY_TOOL = security;
  else delete env.LINGCODE_TEST_SECURITY_TOOL;
  let made = false;
  let step = "the darwin tests";
  try {
    if (options.darwinTests !== false) {
      const tests = spawnSync(process.execPath, [path.join(root, "scripts", "test.mjs"), ".darwin."], {
        cwd: root,
        stdio: "inherit",
      });
      if (tests.status !== 0) return fail(step, `npm test exited with ${tests.status}`);
    }
    step = "security create-keychain";
    const tool = (...args) => spawnSync(security, args, { env, encoding: "utf8", timeout: 60_000 });
    if (tool("create-keychain", "-p", "check", keychain).status !== 0) return fail(step, "could not make it");
    made = true;
    tool("unlock-keychain", "-p", "check", keychain);

    const cli = (...args) =>
      spawnSync(process.execPath, [path.join(root, "dist-cli", "asc-key.js"), ...args], {
        env,
        encoding: "utf8",
        timeout: 120_000,
      });
    const keys = [newKey(dir), newKey(dir), newKey(dir)];
    const issuer = randomUUID();
    const exported = path.join(dir, "fastlane.json");
    const steps = [
      ["register", () => cli(...register(keys[0], issuer, "First")), 0],
      [
        "the entry in the throwaway keychain",
        () => tool("find-generic-password", "-s", env.LINGCODE_KEYCHAIN_SERVICE, "-a", "asc-api-key", keychain),
        0,
      ],
      ["status", () => cli("status"), 0, (out) => out.includes(keys[0].id)],
      ["token", () => cli("token"), 0, (out) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+\s*$/.test(out)],
      ["a second key", () => cli(...register(keys[1], issuer, "Second"), "--no-use"), 0],
      ["use", () => cli("use", "Second"), 0],
      ["status after use", () => cli("status"), 0, (out) => out.includes(keys[1].id)],
      ["rename", () => cli("rename", "Second", "Renamed"), 0],
      ["list", () => cli("list"), 0, (out) => out.includes("Renamed") && out.includes("First")],
      ["rotate", () => cli(...register(keys[2], issuer), "--rotate", "First"), 0],
      [
        "exec",
        () =>
          cli(
            "exec",
            "--",
            process.execPath,
            "-e",
            "const fs=require('fs');process.exit(process.env.ASC_KEY_ID&&fs.existsSync(process.env.ASC_KEY_PATH)?0:9)",
          ),
        0,
      ],
      [
        "export",
        () => cli("export", "--format", "fastlane-json", "--out", exported),
        0,
        () =>
          (statSync(exported).mode & 0o777) === 0o600 &&
          JSON.parse(readFileSync(exported, "utf8")).key_id === keys[1].id,
      ],
      ["remove the rotated key", () => cli("remove", "--key", "First"), 0],
      ["remove", () => cli("remove"), 0],
      ["status after remove", () => cli("status"), 1],
      // Everything happened in the throwaway keychain: the default keychains never saw this service.
      ["the login keychain untouched", () => tool("find-generic-password", "-s", env.LINGCODE_KEYCHAIN_SERVICE), 44],
    ];
    for (const [name, run, expected, check] of steps) {
      step = name;
      const result = run();
      if (result.status !== expected) {
        return fail(step, `exit ${result.status}, expected ${expected}: ${firstLine(result.stderr)}`);
      }
      if (check && !check(result.stdout)) return fail(step, "its output was not as expected");
    }
    step = "security delete-keychain";
    made = false;
    if (tool("delete-keychain", keychain).status !== 0) return fail(step, "could not delete it");
    if (existsSync(keychain)) return fail(step, "the keychain file is still there");
    return {
      status: 0,
      verdict: `check:mac passed: ${options.darwinTests === false ? "" : "the darwin tests and "}the asc-key flow (${steps.length} steps) in a throwaway keychain, now deleted.`,
    };
  } finally {
    if (made) spawnSync(security, ["delete-keychain", keychain], { env, timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

function register(key, issuer, name) {
  const args = ["register", "--issuer-id", issuer, "--key-id", key.id, "--p8", key.file, "--skip-verify"];
  return name ? [...args, "--name", name] : args;
}

/** A throwaway P-256 key in a private file of the check's folder (removed with it). */
function newKey(dir) {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let id = "";
  for (let i = 0; i < 10; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  const file = path.join(dir, `AuthKey_${id}.p8`);
  writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  return { id, file };
}

function fail(step, why) {
  return { status: 1, verdict: `check:mac FAILED at ${step}: ${why}.` };
}

// Control characters from a tool's stderr never reach the terminal raw.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function firstLine(text) {
  return (text ?? "").trim().split("\n")[0].replace(CONTROL, "?").slice(0, 200);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { status, verdict } = checkMac();
  console.log(verdict);
  process.exit(status);
}
