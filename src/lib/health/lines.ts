/**
 * The health checks behind `asc-key doctor` (and, later, the Health part of API Key Status). Each check is a pure
 * function of what it is handed (home folder, environment, the saved key's summary, a check result, now) and gives
 * one line: pass, warn or fail, with a one-line fix. Nothing here reads `process.env` or the clock itself; the only
 * file-system access is `findLeftoverKeyFiles`, which lists the folders it is given.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { CLOCK_TOLERANCE_SECONDS, type CheckResult, ageInDays, type RetiredKeyState, TEAM_KEYS_URL } from "../apple";
import { isAscKeyError, isUnreadableEntry } from "../errors";
import { EXPORT_TABLE, readableVariables, type ExportGroup, type ReadRole } from "../exports";
import { keyIdFromFileName, maskedSuffix, maskIssuerId } from "../ids";
import type { KeySummary } from "../status";
import { printableCut, WIDTH } from "../text";

export type HealthLevel = "pass" | "warn" | "fail";

type HealthCheck =
  "keychain" | "leftover-files" | "private-folders" | "environment" | "apple" | "clock" | "key-age" | "retired-key";

export interface HealthLine {
  check: HealthCheck;
  level: HealthLevel;
  /** What was found, one sentence. */
  text: string;
  /** What to do about it, one line (warn and fail only). */
  fix?: string;
}

/** "ok" when nothing fails; warnings alone do not fail the whole. */
export function overallHealth(lines: readonly HealthLine[]): "ok" | "failing" {
  return lines.some((line) => line.level === "fail") ? "failing" : "ok";
}

// ---------------------------------------------------------------------------------------------------------------
// The .p8 left behind

/**
 * Where the downloaded `AuthKey_<Key ID>.p8` tends to stay after registering: the browser's Downloads, the Desktop,
 * and the folders altool, Transporter and fastlane look in (`private_keys`, `.private_keys`,
 * `.appstoreconnect/private_keys` under the home folder). Apple lets a key be downloaded once; once it is in the
 * Keychain, a copy on disk is only a leak waiting to happen.
 */
export function leftoverFolders(homeDir: string): string[] {
  return [path.join(homeDir, "Downloads"), path.join(homeDir, "Desktop"), ...privateKeysFolders(homeDir)];
}

/**
 * The folders under the home folder where altool, Transporter and fastlane look for `AuthKey_<Key ID>.p8` (altool
 * also looks in `./private_keys` and in API_PRIVATE_KEYS_DIR); `asc-key import --from folders` reads them.
 */
export function privateKeysFolders(homeDir: string): string[] {
  return [
    path.join(homeDir, "private_keys"),
    path.join(homeDir, ".private_keys"),
    path.join(homeDir, ".appstoreconnect", "private_keys"),
  ];
}

/** The saved key's `AuthKey_<Key ID>.p8` files (browser " (1)" copies too) in those folders. Quiet on any error. */
export async function findLeftoverKeyFiles(homeDir: string, keyId: string): Promise<string[]> {
  const wanted = keyId.toUpperCase();
  const found = await Promise.all(
    leftoverFolders(homeDir).map(async (folder) => {
      let names: string[];
      try {
        names = await fs.readdir(folder);
      } catch {
        return [];
      }
      const matches: string[] = [];
      for (const name of names.sort()) {
        if (keyIdFromFileName(name) !== wanted) continue;
        const file = path.join(folder, name);
        try {
          if ((await fs.lstat(file)).isFile()) matches.push(file);
        } catch {
          // gone meanwhile
        }
      }
      return matches;
    }),
  );
  return found.flat();
}

/** `~/Downloads/AuthKey_X.p8` rather than the whole home path; control characters shown as "?". */
export function homeRelative(file: string, homeDir: string): string {
  const relative = path.relative(homeDir, file);
  const shown = relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? `~/${relative}` : file;
  // eslint-disable-next-line no-control-regex
  return shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

export function leftoverFilesLine(
  files: readonly string[],
  homeDir: string,
  fix = "move it to the Trash: asc-key doctor --trash-leftovers",
): HealthLine {
  if (files.length === 0) {
    return {
      check: "leftover-files",
      level: "pass",
      text: "No copy of the saved key's .p8 file in the usual folders.",
    };
  }
  const shown = files.map((file) => homeRelative(file, homeDir)).join(", ");
  return {
    check: "leftover-files",
    level: "warn",
    text: `The saved key's .p8 is still on disk: ${shown}; the Keychain has it, so the copy is only a risk.`,
    fix: files.length === 1 ? fix : fix.replace(/\bit\b/, "them"),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Environment variables other tools read first

/** What each tool reads before any keychain, per its documentation. Values are never shown, Key IDs excepted. */
interface EnvFamily {
  tool: string;
  keyId?: string;
  issuerId?: string;
  /** Variables that hold the key itself, or a path to it (or to fastlane's API key JSON). */
  key: string[];
}

/**
 * The tools that read these variables themselves, before any keychain, by their group in the exports table, as doctor
 * names them. The `file` group is left out: its variables are only what `asc-key exec` hands to xcodebuild, notarytool
 * and altool, which read none of them but API_PRIVATE_KEYS_DIR by themselves.
 */
const ENV_READERS: Readonly<Partial<Record<ExportGroup, string>>> = {
  fastlane: "fastlane",
  asc: "the asc CLI",
  codemagic: "codemagic",
  eas: "Expo EAS",
};

const KEY_ROLES: readonly ReadRole[] = ["key-text", "key-base64", "key-path", "fastlane-json"];

/** Each tool's variables, from the exports table (`import --from env` reads the same ones): one fact, one place. */
const KEY_ENV_FAMILIES: readonly EnvFamily[] = EXPORT_TABLE.flatMap((spec) => {
  const tool = ENV_READERS[spec.group];
  if (!tool) return [];
  const variables = readableVariables(spec);
  const named = (roles: readonly ReadRole[]) => variables.filter((v) => roles.includes(v.role)).map((v) => v.name);
  return [{ tool, keyId: named(["key-id"])[0], issuerId: named(["issuer-id"])[0], key: named(KEY_ROLES) }];
});

/**
 * Environment variables that fastlane, the asc CLI or codemagic use instead of the saved key: a warning when one
 * names a different Key ID or Issuer ID, or holds a key without saying which. Only variable names and Key IDs are
 * shown; an Issuer ID only masked.
 */
export function environmentLine(
  env: Readonly<Record<string, string | undefined>>,
  saved: Pick<KeySummary, "keyId" | "kind" | "issuerIdSuffix"> | undefined,
): HealthLine {
  const set = (name: string | undefined) => (name && env[name]?.trim() ? name : undefined);
  const problems: string[] = [];
  const unsets: string[] = [];
  const same: string[] = [];
  for (const family of KEY_ENV_FAMILIES) {
    const keyVar = set(family.keyId);
    const issuerVar = set(family.issuerId);
    const keyVars = family.key.filter((name) => set(name));
    if (!keyVar && !issuerVar && keyVars.length === 0) continue;
    const named = keyVar ? env[keyVar]!.trim().toUpperCase() : undefined;
    if (named && saved && named !== saved.keyId) {
      problems.push(
        `${keyVar} names key ${printableCut(named, WIDTH.environmentValue)}, not the saved ${saved.keyId} (${family.tool} uses it first)`,
      );
      unsets.push(keyVar!, ...(issuerVar ? [issuerVar] : []), ...keyVars);
      continue;
    }
    const issuer = issuerVar ? env[issuerVar]!.trim().toLowerCase() : undefined;
    if (issuer && saved?.issuerIdSuffix && !issuer.endsWith(saved.issuerIdSuffix)) {
      problems.push(
        `${issuerVar} (${maskIssuerId(issuer)}) is another team's Issuer ID than the saved key's (${maskedSuffix(saved.issuerIdSuffix)}); ${family.tool} uses it first`,
      );
      unsets.push(issuerVar!);
      continue;
    }
    if (!named && keyVars.length > 0) {
      problems.push(
        `${keyVars.join(", ")} give${keyVars.length === 1 ? "s" : ""} ${family.tool} a key without naming it`,
      );
      unsets.push(...keyVars);
      continue;
    }
    same.push(keyVar ?? issuerVar!);
  }
  if (problems.length > 0) {
    return {
      check: "environment",
      level: "warn",
      text: `${problems.join("; ")}.`,
      fix: `unset ${[...new Set(unsets)].join(" ")} (or point ${unsets.length === 1 ? "it" : "them"} at the saved key)`,
    };
  }
  if (same.length > 0) {
    return {
      check: "environment",
      level: "pass",
      text: `${same.join(", ")} name${same.length === 1 ? "s" : ""} the saved key.`,
    };
  }
  return { check: "environment", level: "pass", text: "No environment variable sends other tools to another key." };
}

// ---------------------------------------------------------------------------------------------------------------
// The Keychain

export interface KeychainRead {
  /** The saved key's summary; undefined when nothing is saved. */
  summary?: KeySummary;
  /** What reading threw, if it did. */
  error?: unknown;
}

/**
 * Could the saved entry be read? A locked Keychain, a denied prompt, no GUI session over SSH (macOS cannot ask to
 * unlock), an unreadable entry, or no key at all: each fails with its fix.
 */
export function keychainLine(read: KeychainRead, env: Readonly<Record<string, string | undefined>> = {}): HealthLine {
  const overSsh = Boolean(env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT);
  const { error, summary } = read;
  if (error !== undefined) {
    if (isUnreadableEntry(error)) {
      return {
        check: "keychain",
        level: "fail",
        text: "The saved key entry is not one this version can read.",
        fix: "register the key again: asc-key register …",
      };
    }
    const message = isAscKeyError(error) ? error.message : "The Keychain could not be read.";
    const locked =
      isAscKeyError(error, "keychain-locked") ||
      isAscKeyError(error, "keychain-denied") ||
      isAscKeyError(error, "keychain-cancelled") ||
      isAscKeyError(error, "keychain-timeout");
    return {
      check: "keychain",
      level: "fail",
      text: message,
      fix:
        locked && overSsh
          ? "over SSH there is no window to unlock it in: run security unlock-keychain first, or run this on the Mac itself"
          : locked
            ? "unlock the Keychain (or allow the prompt) and run asc-key doctor again"
            : "fix the Keychain access named above and run asc-key doctor again",
    };
  }
  if (!summary) {
    return {
      check: "keychain",
      level: "fail",
      text: "The Keychain answers, but no key is saved for LingCode.",
      fix: "register one: asc-key register --issuer-id <id> --key-id <id> --p8 <file>",
    };
  }
  return { check: "keychain", level: "pass", text: `The Keychain answers and holds key ${summary.keyId}.` };
}

// ---------------------------------------------------------------------------------------------------------------
// Apple: the key, the agreement, the clock

/** What Apple said of the key: an agreement waiting for the Account Holder fails, as does a rejection. */
export function appleLine(check: CheckResult | undefined): HealthLine {
  if (!check) {
    return { check: "apple", level: "warn", text: "The key was not checked with Apple.", fix: "run asc-key verify" };
  }
  switch (check.outcome) {
    case "valid":
      return { check: "apple", level: "pass", text: check.message };
    case "agreement-required":
      return {
        check: "apple",
        level: "fail",
        text: "An agreement is waiting for the Account Holder: App Store Connect refuses every request until it is accepted (the key itself is fine).",
        fix: "the Account Holder accepts it under Business in App Store Connect",
      };
    case "rejected":
      return { check: "apple", level: "fail", text: check.message, fix: `check the key at ${TEAM_KEYS_URL}` };
    case "role-limited":
      return {
        check: "apple",
        level: "warn",
        text: check.message,
        fix: "run asc-key verify --capabilities to see what it can do",
      };
    case "rate-limited":
      return { check: "apple", level: "warn", text: check.message, fix: "wait up to an hour" };
    default:
      return { check: "apple", level: "warn", text: check.message, fix: "run asc-key doctor again when online" };
  }
}

/** Within this many seconds of Apple's clock, nothing to say. */
const CLOCK_WARN_SECONDS = 30;

/**
 * How far this computer's clock is from Apple's `Date`. Tokens are back-dated 60 s, so a clock up to a minute fast
 * still works; beyond that Apple refuses them.
 */
export function clockLine(check: CheckResult | undefined): HealthLine {
  const offset = check?.clockOffsetSeconds;
  const fix = 'turn on "Set time and date automatically" in System Settings';
  if (offset === undefined) {
    return {
      check: "clock",
      level: "warn",
      text: "The clock could not be compared with Apple's (no answer with a Date).",
      fix: "run asc-key doctor again when online",
    };
  }
  const size = Math.abs(offset);
  const how = offset < 0 ? "fast" : "slow";
  if (size <= CLOCK_WARN_SECONDS) {
    return { check: "clock", level: "pass", text: `The clock is within ${Math.max(size, 1)} s of Apple's.` };
  }
  if (size <= CLOCK_TOLERANCE_SECONDS) {
    return { check: "clock", level: "warn", text: `The clock is ${size} s ${how} against Apple's.`, fix };
  }
  return {
    check: "clock",
    level: "fail",
    text: `The clock is ${size} s ${how} against Apple's: Apple refuses tokens from it.`,
    fix,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The key's age

export const DEFAULT_ROTATE_AFTER_DAYS = 180;

/** The key's age (from when it was saved) against the rotation preference; 0 days means never remind. */
export function keyAgeLine(
  summary: Pick<KeySummary, "keyId" | "savedAt">,
  now: number,
  rotateAfterDays: number = DEFAULT_ROTATE_AFTER_DAYS,
): HealthLine {
  const days = ageInDays(summary.savedAt, now);
  const age = `Key ${summary.keyId} was saved ${days} day${days === 1 ? "" : "s"} ago`;
  if (rotateAfterDays <= 0) return { check: "key-age", level: "pass", text: `${age}; rotation reminders are off.` };
  if (days < rotateAfterDays) {
    return { check: "key-age", level: "pass", text: `${age} (rotate after ${rotateAfterDays}).` };
  }
  return {
    check: "key-age",
    level: "warn",
    text: `${age}, past the ${rotateAfterDays} days after which to rotate it.`,
    fix: `create a new key at ${TEAM_KEYS_URL}, asc-key register it, then revoke the old one`,
  };
}

/** What the retired-key line needs of a retired key (lib/keys' RetiredKeyView has it). */
interface RetiredKeyAge {
  keyId: string;
  retiredAt?: string;
  state: RetiredKeyState;
}

/**
 * Health: a retired key Apple last accepted, once the rotation-age preference's days (`rotateAfterDays`; 0: never)
 * have passed since it was retired, is a warning: a rotation is not finished until the old key is revoked.
 */
export function retiredHealthLines(keys: readonly RetiredKeyAge[], now: number, rotateAfterDays: number): HealthLine[] {
  if (rotateAfterDays <= 0) return [];
  return keys
    .filter((key) => key.state.state === "still-works" && key.retiredAt !== undefined)
    .filter((key) => ageInDays(key.retiredAt!, now) >= rotateAfterDays)
    .map((key) => {
      const days = ageInDays(key.retiredAt!, now);
      return {
        check: "retired-key",
        level: "warn",
        text: `Key ${key.keyId} was rotated out ${days} day${days === 1 ? "" : "s"} ago and still works at Apple.`,
        fix: `revoke it at ${TEAM_KEYS_URL}`,
      };
    });
}
