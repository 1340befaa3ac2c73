/**
 * The one table of what `asc-key exec` hands to the other tools of a shipping pipeline, and in which shape. The help
 * text (src/cli/pipeline-help.ts), docs/pipeline.md (its variable table, checked by a test) and the tests all derive
 * from it. What each tool reads was checked against the tool's own docs or source, named per group below.
 *
 * Plain data and pure functions: no process.env (the caller passes the environment to start from), no files.
 */
import type { KeyRecord } from "../record";

/** The `--only` choices, in the order help and docs list them. */
export const EXPORT_GROUPS = ["fastlane", "asc", "codemagic", "file", "eas"] as const;
export type ExportGroup = (typeof EXPORT_GROUPS)[number];

/** Where a variable's value comes from. */
export type ValueSource =
  /** The Key ID. */
  | "key-id"
  /** The Issuer ID. Team keys only: for an individual key the variable is removed from the child's environment. */
  | "issuer-id"
  /** `team` or `individual`. */
  | "key-kind"
  /** The key itself, as PEM text. Secret. */
  | "private-key"
  /** Path of `AuthKey_<Key ID>.p8` in the private folder. */
  | "key-file"
  /** The private folder itself. */
  | "key-folder"
  /** Path of fastlane's API key JSON file in the private folder (it holds the key). */
  | "fastlane-json"
  /** The text `false`. */
  | "false";

/**
 * What a variable holds when `asc-key import --from env` reads a key back from the environment (src/lib/import/):
 * the Key ID, the Issuer ID, `team`/`individual`, the key as text (PEM, or base64 of it when the group's base64 flag
 * is true), the key as base64 always, a path to the .p8, a path to fastlane's API key JSON, the flag saying the key
 * text is base64, fastlane's in_house flag; `folder` (API_PRIVATE_KEYS_DIR) is read by `--from folders` instead, and
 * `ignored` is never read.
 */
export type ReadRole =
  | "key-id"
  | "issuer-id"
  | "key-kind"
  | "key-text"
  | "key-base64"
  | "key-path"
  | "fastlane-json"
  | "base64-flag"
  | "in-house"
  | "folder"
  | "ignored";

/**
 * What a CI secret (`asc-key ci`, src/lib/ci/) holds: the Key ID, the Issuer ID (team keys only: left out for an
 * individual key), the key's PEM text, the PEM as one line of base64 (what a tool that reads base64 gets, so that
 * nothing multi-line passes through a CI service), or the text `true`.
 */
export type CiSource = "key-id" | "issuer-id" | "private-key" | "private-key-base64" | "true";

interface ExportVariable {
  name: string;
  source: ValueSource;
  /** What the tool does with it, one short phrase. */
  about: string;
  /** What it holds when read back, where its source does not say (the `false` flags). */
  reads?: ReadRole;
  /** Set as a CI secret by `asc-key ci`, holding this; left out: not a CI secret. */
  ci?: CiSource;
}

interface ClearedVariable {
  name: string;
  /** Why a value inherited from the caller's environment would get in the way. */
  why: string;
  /** What it holds when read back (`import --from env`); left out: not read. */
  reads?: ReadRole;
  /** Set as a CI secret by `asc-key ci`, holding this (the one way a tool reads the key's base64, say). */
  ci?: CiSource;
  /**
   * Said on stderr when the caller's environment had it and it was removed: for a variable whose value would
   * otherwise silently win over the key, so that a command that used it before does not change behaviour unseen.
   */
  notice?: string;
}

interface ExportGroupSpec {
  group: ExportGroup;
  /** The tools that read these variables. */
  tools: string;
  variables: readonly ExportVariable[];
  /**
   * Inherited variables removed from the child's environment, so that a value left from elsewhere (another key, a CI
   * service's setting) cannot mix with this key.
   */
  clears: readonly ClearedVariable[];
  /** What the tools do with an individual key (no Issuer ID), as their docs or source say. */
  individualKeys: string;
  /** Where the facts above come from. */
  source: string;
}

/** The file name Apple gives a key and altool looks for. */
export function authKeyFileName(keyId: string): string {
  return `AuthKey_${keyId}.p8`;
}

/** The name of fastlane's API key JSON file in the private folder. */
export const FASTLANE_JSON_NAME = "fastlane-api-key.json";

export const EXPORT_TABLE: readonly ExportGroupSpec[] = [
  {
    group: "fastlane",
    tools: "the app_store_connect_api_key action; pilot, deliver, match, sigh, cert and precheck",
    variables: [
      {
        name: "APP_STORE_CONNECT_API_KEY_KEY_ID",
        source: "key-id",
        about: "app_store_connect_api_key's key_id",
        ci: "key-id",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
        source: "issuer-id",
        about: "app_store_connect_api_key's issuer_id",
        ci: "issuer-id",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_KEY",
        source: "private-key",
        about: "app_store_connect_api_key's key_content: the .p8's text",
        // fastlane's is_key_content_base64 (fastlane#17340): a PEM pasted into a CI secret comes back mangled.
        ci: "private-key-base64",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64",
        source: "false",
        about: "the key text is PEM, not base64 (some CI services set this to true)",
        reads: "base64-flag",
        // In CI the key text is base64, and this says so.
        ci: "true",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_IN_HOUSE",
        source: "false",
        about: "an App Store team, not an Enterprise one",
        reads: "in-house",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_PATH",
        source: "fastlane-json",
        about: "fastlane's API key JSON file, read as --api_key_path by pilot, deliver, match, sigh, cert and precheck",
      },
    ],
    clears: [
      {
        name: "APP_STORE_CONNECT_API_KEY",
        why: "an API key hash the tools read before the JSON file (api_key comes before api_key_path)",
      },
      {
        name: "APP_STORE_CONNECT_API_KEY_KEY_FILEPATH",
        why: "a path to another .p8 for app_store_connect_api_key",
        reads: "key-path",
      },
      {
        name: "SPACESHIP_CONNECT_API_ISSUER_ID",
        why: "spaceship fills a missing issuer_id from it: an individual key would be sent with an iss and refused",
      },
      { name: "SPACESHIP_CONNECT_API_IN_HOUSE", why: "spaceship lets it override in_house" },
    ],
    individualKeys:
      "supported by fastlane releases that know individual keys (fastlane pull requests #21987 and #22128, 2024): " +
      "issuer_id is left out, as the app_store_connect_api_key docs allow; older releases refuse an API key JSON " +
      'file without issuer_id ("missing field(s): issuer_id")',
    source:
      "fastlane's app_store_connect_api_key action and docs.fastlane.tools/app-store-connect-api; the " +
      "APP_STORE_CONNECT_API_KEY_PATH variable from fastlane pull request #18181; spaceship's connect_api/token.rb",
  },
  {
    group: "asc",
    tools: "the asc command line, App-Store-Connect-CLI",
    variables: [
      { name: "ASC_KEY_ID", source: "key-id", about: "the Key ID", ci: "key-id" },
      { name: "ASC_ISSUER_ID", source: "issuer-id", about: "the Issuer ID", ci: "issuer-id" },
      {
        name: "ASC_KEY_TYPE",
        source: "key-kind",
        about: "team or individual (asc releases without individual keys ignore it)",
      },
      {
        name: "ASC_PRIVATE_KEY_PATH",
        source: "key-file",
        about: "the .p8 in the private folder (asc reads it before ASC_PRIVATE_KEY and ASC_PRIVATE_KEY_B64)",
      },
    ],
    clears: [
      { name: "ASC_PRIVATE_KEY", why: "the text of another key", reads: "key-text" },
      {
        name: "ASC_PRIVATE_KEY_B64",
        why: "the base64 text of another key",
        reads: "key-base64",
        // exec hands asc a file; a CI secret carries the key as one line of base64 instead.
        ci: "private-key-base64",
      },
    ],
    individualKeys:
      "supported with ASC_KEY_TYPE=individual and no ASC_ISSUER_ID since asc's pull request #1634 (2026); earlier " +
      "releases require an Issuer ID",
    source: "the asc README's environment table and its credential resolution (ASC_KEY_TYPE, ASC_PRIVATE_KEY_PATH)",
  },
  {
    group: "codemagic",
    tools: "codemagic-cli-tools' app-store-connect",
    variables: [
      { name: "APP_STORE_CONNECT_KEY_IDENTIFIER", source: "key-id", about: "--key-id", ci: "key-id" },
      { name: "APP_STORE_CONNECT_ISSUER_ID", source: "issuer-id", about: "--issuer-id", ci: "issuer-id" },
      {
        name: "APP_STORE_CONNECT_PRIVATE_KEY",
        source: "private-key",
        about: "--private-key: the .p8's text",
        // codemagic reads PEM only (its PrivateKeyArgument loads the value with load_pem_private_key): no base64.
        ci: "private-key",
      },
    ],
    clears: [],
    individualKeys: "not documented: its docs describe --issuer-id as part of every key",
    source: "codemagic-cli-tools docs/app-store-connect/README.md",
  },
  {
    group: "file",
    tools: "xcodebuild -authenticationKeyPath, xcrun notarytool --key, xcrun altool",
    variables: [
      {
        name: "ASC_KEY_PATH",
        source: "key-file",
        about: "the AuthKey_<Key ID>.p8 file, for -authenticationKeyPath and notarytool --key",
      },
      {
        name: "API_PRIVATE_KEYS_DIR",
        source: "key-folder",
        about: "the folder holding AuthKey_<Key ID>.p8, where altool looks for it",
      },
      { name: "ASC_KEY_ID", source: "key-id", about: "for -authenticationKeyID, --key-id, --apiKey" },
      { name: "ASC_ISSUER_ID", source: "issuer-id", about: "for -authenticationKeyIssuerID, --issuer, --apiIssuer" },
    ],
    clears: [],
    individualKeys:
      "Apple: individual keys can't use the provisioning endpoints or notarytool, so xcodebuild " +
      "-allowProvisioningUpdates and notarytool need a team key; altool's help names only --apiKey with --apiIssuer",
    source:
      "Apple's Creating API Keys for App Store Connect API, the Xcode 13 release notes (-authenticationKeyPath), " +
      "altool's help (API_PRIVATE_KEYS_DIR)",
  },
  {
    group: "eas",
    tools:
      "Expo's eas-cli for eas build, eas credentials and eas metadata, and @expo/apple-utils; eas submit reads eas.json",
    variables: [
      {
        name: "EXPO_ASC_API_KEY_PATH",
        source: "key-file",
        about: "the .p8 EAS reads as UTF-8 (there is no variable for the key's text)",
      },
      { name: "EXPO_ASC_KEY_ID", source: "key-id", about: "the Key ID" },
      {
        name: "EXPO_ASC_ISSUER_ID",
        source: "issuer-id",
        about: "the Issuer ID; left out, EAS signs as an individual key",
      },
    ],
    clears: [
      {
        name: "EXPO_APPLE_APP_SPECIFIC_PASSWORD",
        why: "an Apple ID password that eas submit uses before the API key",
        notice:
          "removed EXPO_APPLE_APP_SPECIFIC_PASSWORD from the command's environment: eas submit would use it instead of the key.",
      },
    ],
    individualKeys:
      'from eas-cli 24.8.0: EXPO_ASC_ISSUER_ID is left out and EAS signs with sub "user"; earlier releases ask ' +
      "for an Issuer ID, and a non-interactive run fails. Setting any one of the three variables switches EAS to " +
      "the API key, and it asks for whatever is missing, so they are set together",
    source:
      "eas-cli 24.8.0 (credentials/ios/appstore/resolveCredentials.ts and authenticate.ts: EXPO_ASC_API_KEY_PATH, " +
      "EXPO_ASC_KEY_ID, EXPO_ASC_ISSUER_ID; submit/ios/IosSubmitCommand.ts: EXPO_APPLE_APP_SPECIFIC_PASSWORD) and " +
      '@expo/apple-utils 2.2.1 (connect/Token: iss for a team key, sub "user" without one)',
  },
];

/** The groups in table order; all of them when `only` is undefined or empty. */
export function selectGroups(only?: readonly ExportGroup[]): ExportGroupSpec[] {
  if (!only || only.length === 0) return [...EXPORT_TABLE];
  return EXPORT_TABLE.filter((spec) => only.includes(spec.group));
}

/** A group's CI secrets (`asc-key ci`), in table order: its variables' first, then its cleared variables'. */
export function ciVariables(spec: ExportGroupSpec): Array<{ name: string; source: CiSource }> {
  return [...spec.variables, ...spec.clears].flatMap((row) => (row.ci ? [{ name: row.name, source: row.ci }] : []));
}

/** The groups `asc-key ci` can set, in table order: every group with a CI secret (one that hands over a file has none). */
export function ciGroups(): ExportGroup[] {
  return EXPORT_TABLE.filter((spec) => ciVariables(spec).length > 0).map((spec) => spec.group);
}

/** What a CI secret holds, in the words the help text and the docs use. */
export const CI_SOURCE_WORDS: Readonly<Record<CiSource, string>> = {
  "key-id": "Key ID",
  "issuer-id": "Issuer ID (team keys; left out for individual keys)",
  "private-key": "the key's PEM text (secret; several lines)",
  "private-key-base64": "the key's PEM as one line of base64 (secret)",
  true: "true",
};

export function isExportGroup(name: string): name is ExportGroup {
  return (EXPORT_GROUPS as readonly string[]).includes(name);
}

/** Which files the private folder must hold for these groups (none at all: no folder is made). */
export interface FileNeeds {
  keyFile: boolean;
  fastlaneJson: boolean;
}

export function filesNeeded(groups: readonly ExportGroupSpec[]): FileNeeds {
  const sources = new Set(groups.flatMap((spec) => spec.variables.map((variable) => variable.source)));
  return {
    keyFile: sources.has("key-file") || sources.has("key-folder"),
    fastlaneJson: sources.has("fastlane-json"),
  };
}

/** Where the files were written (only those that were needed). */
export interface FolderPaths {
  folder: string;
  keyFile?: string;
  fastlaneJson?: string;
}

/**
 * The child's environment: `base` (the caller's), minus every variable the chosen groups set or clear, plus this
 * key's values. A team-only variable is left out for an individual key, so an inherited Issuer ID cannot reach it.
 */
export function childEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  record: KeyRecord,
  groups: readonly ExportGroupSpec[],
  paths: FolderPaths | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  const removed = new Set(
    groups.flatMap((spec) => [...spec.variables.map((v) => v.name), ...spec.clears.map((c) => c.name)]),
  );
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !removed.has(name)) env[name] = value;
  }
  for (const spec of groups) {
    for (const variable of spec.variables) {
      const value = valueOf(variable.source, record, paths);
      if (value !== undefined) env[variable.name] = value;
    }
  }
  return env;
}

/**
 * What to say on stderr about inherited variables the chosen groups removed (those with a notice), in table order:
 * names only, never a value.
 */
export function removalNotices(
  base: Readonly<Record<string, string | undefined>>,
  groups: readonly ExportGroupSpec[],
): string[] {
  return groups.flatMap((spec) =>
    spec.clears
      .filter((cleared) => cleared.notice !== undefined && base[cleared.name] !== undefined)
      .map((cleared) => cleared.notice!),
  );
}

function valueOf(source: ValueSource, record: KeyRecord, paths: FolderPaths | undefined): string | undefined {
  switch (source) {
    case "key-id":
      return record.keyId;
    case "issuer-id":
      return record.kind === "team" ? record.issuerId : undefined;
    case "key-kind":
      return record.kind;
    case "private-key":
      return record.privateKey;
    case "key-file":
      return required(paths?.keyFile, source);
    case "key-folder":
      return required(paths?.folder, source);
    case "fastlane-json":
      return required(paths?.fastlaneJson, source);
    case "false":
      return "false";
  }
}

function required(value: string | undefined, source: ValueSource): string {
  // A caller that did not write the files filesNeeded asked for: a bug, never a user's mistake.
  if (value === undefined) throw new Error(`no path for ${source}: the private folder lacks a file`);
  return value;
}

/**
 * fastlane's API key JSON (docs.fastlane.tools/app-store-connect-api, "Using fastlane API Key JSON file"): key_id,
 * issuer_id (left out for an individual key), key (the .p8's text) and in_house false (an App Store team). Secret.
 */
export function fastlaneApiKeyJson(record: KeyRecord): string {
  const json: Record<string, unknown> = { key_id: record.keyId };
  if (record.kind === "team" && record.issuerId) json.issuer_id = record.issuerId;
  json.key = record.privateKey;
  json.in_house = false;
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** What each value source holds when read back, for the variables whose row does not say (`reads`). */
const READ_ROLE: Readonly<Record<ValueSource, ReadRole>> = {
  "key-id": "key-id",
  "issuer-id": "issuer-id",
  "key-kind": "key-kind",
  "private-key": "key-text",
  "key-file": "key-path",
  "key-folder": "folder",
  "fastlane-json": "fastlane-json",
  false: "ignored",
};

/** Per group, what `import --from env` reads: each variable the group sets or clears, with what it holds. */
export function readableVariables(spec: ExportGroupSpec): Array<{ name: string; role: ReadRole }> {
  return [
    ...spec.variables.map((variable) => ({ name: variable.name, role: variable.reads ?? READ_ROLE[variable.source] })),
    ...spec.clears.map((cleared) => ({ name: cleared.name, role: cleared.reads ?? "ignored" })),
  ];
}

/** What a value source means, in the words the help text and the docs use. */
export const SOURCE_WORDS: Readonly<Record<ValueSource, string>> = {
  "key-id": "Key ID",
  "issuer-id": "Issuer ID (team keys; unset for individual keys)",
  "key-kind": "team or individual",
  "private-key": "the key's text (secret)",
  "key-file": "path of AuthKey_<Key ID>.p8 (file)",
  "key-folder": "the private folder (file)",
  "fastlane-json": "path of fastlane's API key JSON (file, holds the key)",
  false: "false",
};
