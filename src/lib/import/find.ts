/**
 * Bringing in keys from where they already are (`asc-key import`, the Import Keys view, the import AI tool): fastlane's
 * API key JSON, Expo's eas.json (its submit profiles), the environment in each tool's own names (the same table
 * `asc-key exec` writes from, src/lib/exports/), and `AuthKey_<Key ID>.p8` files in the folders Apple's tools search.
 *
 * Reading only: each source gives candidates, each either a key the key model accepted (prepareKey, the same reasons
 * as the register form) or a broken one with a one-line reason naming where it came from. classifyCandidates then
 * says, against the saved keys, whether each is new, already saved, or the same Key ID with other key material.
 * Importing one is a registration like any other (src/lib/keys/register.ts). Nothing here reads process.env or the home
 * folder itself (callers pass them), writes anything, or puts key material in a message.
 */
import envString from "env-string";
import { promises as fs } from "node:fs";
import path from "node:path";
import { AscKeyError, isAscKeyError } from "../errors";
import { EXPORT_TABLE, readableVariables, type ReadRole } from "../exports";
import { privateKeysFolders } from "../health";
import { issuerIdSuffix, keyIdFromFileName } from "../ids";
import { readKeyFile, readSmallFile, type SmallFileKind } from "../key";
import { isSavedAlready, prepareKey, type KeyInput, type PreparedKey, listKeys, type ListedKey } from "../keys";
import type { KeyKind } from "../record";
import type { KeyStore } from "../keychain";
import { printable, printableCut, WIDTH } from "../text";

/** Where a caller's process stands: the core reads none of it itself. */
export interface ImportContext {
  /** The environment to read (`--from env`) and API_PRIVATE_KEYS_DIR (`--from folders`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The home folder: `~` in paths, and the private_keys folders under it. */
  home: string;
  /** The working folder: relative paths in variables, and `./private_keys`. */
  cwd: string;
}

/** One key a source holds, as read: not yet compared with the saved keys. */
export type Found =
  | {
      ok: true;
      /** Where it was found, printable: a file's name or path, or `$VARIABLE`. */
      origin: string;
      /** The file that holds the key in clear (fastlane's JSON, a .p8), to offer to move it to the Trash afterwards. */
      file?: string;
      /** The key, ready to register. Its record's privateKey is secret. */
      prepared: PreparedKey;
      /** Said once it is saved, besides the offer to move `file` to the Trash (a .p8 in an Expo project). */
      afterImport?: string;
    }
  | {
      ok: true;
      origin: string;
      file: string;
      /** A .p8 found in a folder without an Issuer ID to go with it: withIssuerId prepares it once one is given. */
      needsIssuerId: true;
      keyId: string;
      fingerprint: string;
    }
  | { ok: false; origin: string; file?: string; keyId?: string; reason: string };

/** What is said once a key found in eas.json is saved (with the offer to move its .p8 to the Trash). */

type CandidateState =
  /** Not saved yet. */
  | "new"
  /** Saved already: the same Key ID and fingerprint. Nothing to do. */
  | "saved"
  /** A saved key has this Key ID but other key material: importing it replaces that key, so it asks first. */
  | "other-material"
  /** It cannot be imported: `reason` says why. */
  | "broken";

interface CandidateCommon {
  /** Every place this key was found (the same key in several variables counts once), printable. */
  origins: string[];
  /** The file holding the key in clear, when it came from one. */
  file?: string;
  /** Said once it is saved, besides the offer to move `file` to the Trash (a .p8 in an Expo project). */
  afterImport?: string;
}

export interface KeyCandidate extends CandidateCommon {
  state: Exclude<CandidateState, "broken">;
  keyId: string;
  fingerprint: string;
  kind?: KeyKind;
  /** The Issuer ID's last three characters (team keys). */
  issuerIdSuffix?: string;
  /** Ready to register; missing when the key needs an Issuer ID first (a folder's .p8: see withIssuerId). */
  prepared?: PreparedKey;
  /** The saved key it matches by Key ID (state `saved` or `other-material`): its name. */
  savedAs?: string;
}

export interface BrokenCandidate extends CandidateCommon {
  state: "broken";
  keyId?: string;
  /** One line naming the source; never the key's text. */
  reason: string;
}

export type ImportCandidate = KeyCandidate | BrokenCandidate;

// ---------------------------------------------------------------------------------------------------------------
// fastlane's API key JSON

const FASTLANE_JSON: SmallFileKind = {
  choose: "fastlane's API key JSON file",
  whenEmpty: "it should hold key_id, issuer_id and key",
  usualSize: "fastlane's API key JSON is well under 1 KB",
};

/**
 * The key in fastlane's API key JSON file (whatever its name): `key_id`, `issuer_id` (left out: an individual key), the
 * key as `key`, `key_content` or `key_filepath` (relative to the JSON's folder; `~` is the home folder),
 * `is_key_content_base64`, `in_house` (an Enterprise key: refused) and `duration` (ignored: LingCode mints its own
 * tokens). Throws AscKeyError with a one-line reason naming the file.
 */
async function readFastlaneJsonKey(filePath: string, context: Pick<ImportContext, "home">): Promise<KeyInput> {
  const name = printable(path.basename(filePath));
  const json = parseFastlaneJson(await readSmallFile(filePath, FASTLANE_JSON), name);
  if (json === undefined) {
    throw new AscKeyError(
      "source-invalid",
      `${name} is not JSON; fastlane's API key file is a JSON object with key_id, issuer_id and key.`,
    );
  }
  return fastlaneKeyInput(json, name, path.dirname(filePath), context.home);
}

/** A key read from a JSON file picked in place of a .p8: fastlane's API key JSON or Expo's eas.json. */
export interface JsonKey {
  source: "fastlane-json" | "eas-json";
  /** The Key Type, Issuer ID, Key ID and the key's text (secret). */
  input: KeyInput;
  /**
   * The file that holds the key in clear, to move to the Trash once it is saved: fastlane's JSON itself; for eas.json,
   * the .p8 it names when that sits in the project (never eas.json); none for a .p8 outside the project.
   */
  holder?: string;
  /** Said once the key is saved (eas.json: how to point the profile at the saved key). */
  afterImport?: string;
}

/**
 * For the register form's file picker: the key in `filePath` when it is fastlane's API key JSON or Expo's eas.json
 * (its text starts with "{"); undefined when it is not JSON at all (a .p8, say), so the caller reads it as a key file.
 * A JSON file that is not a usable key throws its reason (AscKeyError); so does an eas.json whose submit profiles hold
 * no key or different keys (Import Keys lists them). The file is read within the picker's bounds and with its reasons
 * (a .p8's: an empty or huge file is refused as the .p8 it was chosen as).
 */
export async function readKeyJsonIfAny(
  filePath: string,
  context: Pick<ImportContext, "home" | "env">,
): Promise<JsonKey | undefined> {
  const text = await readKeyFile(filePath);
  if (
    !text
      .replace(/^\uFEFF/, "")
      .trimStart()
      .startsWith("{")
  )
    return undefined;
  const name = printable(path.basename(filePath));
  const json = parseFastlaneJson(text, name);
  if (json === undefined) {
    throw new AscKeyError("source-invalid", `${name} starts like JSON but is not valid JSON.`);
  }
  if (!isEasJson(json)) {
    const input = await fastlaneKeyInput(json, name, path.dirname(filePath), context.home);
    return { source: "fastlane-json", input, holder: filePath };
  }
  const keys = await easJsonKeys(json, name, path.dirname(filePath), context);
  const usable = keys.filter((key): key is Extract<Found, { prepared: PreparedKey }> => key.ok && "prepared" in key);
  const distinct = [...new Set(usable.map((key) => key.prepared.fingerprint))];
  if (usable.length === 0) {
    const broken = keys.find((key): key is Extract<Found, { ok: false }> => !key.ok);
    throw new AscKeyError(
      "source-invalid",
      broken ? broken.reason : `${name} holds no App Store Connect key in its submit profiles.`,
    );
  }
  const { record } = usable[0].prepared;
  if (distinct.length > 1 || usable.some((key) => key.prepared.record.keyId !== record.keyId)) {
    const ids = [...new Set(usable.map((key) => key.prepared.record.keyId))].join(", ");
    throw new AscKeyError(
      "source-invalid",
      `${name}'s submit profiles hold different keys (${ids}); Import Keys lists each with its profile.`,
    );
  }
  return {
    source: "eas-json",
    input: { kind: record.kind, issuerId: record.issuerId, keyId: record.keyId, p8Text: record.privateKey },
    holder: usable[0].file,
    afterImport: usable[0].afterImport,
  };
}

/** The object in the text, undefined when it is not JSON. Refuses JSON that is not an object. */
function parseFastlaneJson(text: string, name: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    // JSON.parse's own message quotes the text it choked on, which may be the key: it is never shown.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new AscKeyError("source-invalid", `${name} is JSON but not an object with key_id, issuer_id and key.`);
  }
  return json as Record<string, unknown>;
}

async function fastlaneKeyInput(
  json: Record<string, unknown>,
  name: string,
  folder: string,
  home: string,
): Promise<KeyInput> {
  const text = (field: string): string | undefined => {
    const value = json[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw new AscKeyError("source-invalid", `${name}: ${field} is not a string.`);
    return value;
  };
  const flag = (field: string): boolean => {
    const value = json[field];
    if (value === undefined || value === null) return false;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    throw new AscKeyError("source-invalid", `${name}: ${field} is neither true nor false.`);
  };
  const keyId = text("key_id");
  if (!keyId?.trim()) throw new AscKeyError("key-id-missing", `${name} has no key_id.`);
  const issuerId = text("issuer_id");
  if (flag("in_house")) throw inHouse(name, "in_house");
  const content = text("key") ?? text("key_content");
  const keyPath = text("key_filepath");
  const input: KeyInput = { kind: issuerId?.trim() ? "team" : "individual", keyId };
  if (input.kind === "team") input.issuerId = issuerId;
  if (content !== undefined && content.trim() !== "") {
    input.p8Text = flag("is_key_content_base64") ? strictBase64(content, `${name}'s key`) : content;
  } else if (keyPath !== undefined && keyPath.trim() !== "") {
    input.p8Text = await keyAtPath(keyPath, folder, home, keyId, `${name}'s key_filepath`);
  } else {
    throw new AscKeyError("source-invalid", `${name} holds no key: neither key, key_content nor key_filepath.`);
  }
  return input;
}

const inHouse = (where: string, field: string) =>
  new AscKeyError(
    "source-invalid",
    `${where}: ${field} is true, an Enterprise (in-house) key; LingCode works with App Store Connect keys only.`,
  );

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Base64 as a tool's "the key is base64" setting promises it; refused when it is not (never quoting it). */
function strictBase64(text: string, what: string): string {
  const compact = text.replace(/\s+/g, "");
  if (!BASE64.test(compact) || compact.length % 4 !== 0) {
    throw new AscKeyError("source-invalid", `${what} is said to be base64 but is not valid base64.`);
  }
  // The key model reads base64 of the PEM and base64 of the DER alike.
  return compact;
}

/** The .p8 a path names, read within the same bounds as the form's file; its name must not name another Key ID. */
async function keyAtPath(given: string, base: string, home: string, keyId: string, what: string): Promise<string> {
  const file = resolvePath(given, base, home);
  const named = keyIdFromFileName(file);
  if (named && named !== keyId.trim().toUpperCase()) {
    throw new AscKeyError(
      "source-invalid",
      `${what} names ${printable(path.basename(file))}, the file of Key ID ${named}, not of ${printable(keyId.trim().toUpperCase())}.`,
    );
  }
  try {
    return await readKeyFile(file);
  } catch (error) {
    if (isAscKeyError(error)) throw new AscKeyError(error.code, `${what}: ${error.message}`);
    throw error;
  }
}

function resolvePath(given: string, base: string, home: string): string {
  const trimmed = given.trim();
  if (trimmed === "~") return home;
  if (trimmed.startsWith("~/")) return path.join(home, trimmed.slice(2));
  return path.resolve(base, trimmed);
}

// ---------------------------------------------------------------------------------------------------------------
// Expo's eas.json

const EAS_JSON: SmallFileKind = {
  choose: "the project's eas.json",
  whenEmpty: "it should hold the submit profiles",
  usualSize: "an eas.json is a few KB",
};

/**
 * The fields of a submit profile's `ios` that hold an App Store Connect key, as eas-cli reads them
 * (packages/eas-json/src/submit/types.ts, IosSubmitProfileFieldsToEvaluate): the only ones where it fills in `$VAR`.
 */
const EAS_KEY_FIELDS = ["ascApiKeyPath", "ascApiKeyId", "ascApiKeyIssuerId"] as const;
type EasKeyField = (typeof EAS_KEY_FIELDS)[number];

/** What to say once a key from an eas.json profile is saved and its .p8 (in the project) can go. */
export const EAS_JSON_AFTER_IMPORT =
  'Then point the profile at the saved key: "ascApiKeyPath": "$EXPO_ASC_API_KEY_PATH", "ascApiKeyId": ' +
  '"$EXPO_ASC_KEY_ID", "ascApiKeyIssuerId": "$EXPO_ASC_ISSUER_ID" (team keys), and run eas submit under ' +
  "asc-key exec --only eas.";

/** Whether the parsed JSON looks like Expo's eas.json rather than fastlane's API key JSON. */
function isEasJson(json: Record<string, unknown>): boolean {
  return json.key_id === undefined && ["submit", "build", "cli"].some((field) => field in json);
}

/**
 * The keys in eas.json's submit profiles, one per profile whose `ios` names one (after `extends`, as eas-cli resolves
 * a profile: at most two levels, the child's fields over its parent's). `ascApiKeyPath`, `ascApiKeyId` and
 * `ascApiKeyIssuerId` fill in `$VAR` and `${VAR}` from `context.env` with env-string, as eas-cli does (packages/eas-json/
 * src/submit/resolver.ts); a variable that is not set is a reason, not an empty value. A relative path is taken from
 * the folder of eas.json (the project, where eas runs). No Issuer ID: an individual key (eas-cli 24.8.0 and later).
 * A .p8 inside the project is the candidate's `file`, to offer to move it to the Trash once the key is saved.
 */
export async function findInEasJson(filePath: string, context: Pick<ImportContext, "env" | "home">): Promise<Found[]> {
  const name = printable(path.basename(filePath));
  let json: Record<string, unknown> | undefined;
  try {
    json = parseFastlaneJson(await readSmallFile(filePath, EAS_JSON), name);
  } catch (error) {
    if (!isAscKeyError(error)) throw error;
    return [
      { ok: false, origin: name, reason: error.message.startsWith(name) ? error.message : `${name}: ${error.message}` },
    ];
  }
  if (json === undefined) return [{ ok: false, origin: name, reason: `${name} is not JSON.` }];
  return easJsonKeys(json, name, path.dirname(filePath), context);
}

async function easJsonKeys(
  json: Record<string, unknown>,
  name: string,
  project: string,
  context: Pick<ImportContext, "env" | "home">,
): Promise<Found[]> {
  const submit = json.submit;
  if (submit === undefined || submit === null) return [];
  if (typeof submit !== "object" || Array.isArray(submit)) {
    return [{ ok: false, origin: name, reason: `${name}: submit is not an object of profiles.` }];
  }
  const profiles = submit as Record<string, unknown>;
  const results: Found[] = [];
  for (const profile of Object.keys(profiles)) {
    const origin = `${name} profile ${printableCut(profile, WIDTH.commandName)}`;
    let fields: Partial<Record<EasKeyField, unknown>>;
    try {
      fields = iosKeyFields(profiles, profile, name, 0);
    } catch (error) {
      if (!isAscKeyError(error)) throw error;
      results.push({ ok: false, origin, reason: `${origin}: ${error.message}` });
      continue;
    }
    if (EAS_KEY_FIELDS.every((field) => fields[field] === undefined)) continue;
    let file: string | undefined;
    const result = await found(origin, undefined, async () => {
      const raw: Partial<Record<EasKeyField, string>> = {};
      for (const field of EAS_KEY_FIELDS) {
        const given = fields[field];
        if (given === undefined || given === null) continue;
        if (typeof given !== "string") throw new AscKeyError("source-invalid", `ios.${field} is not a string.`);
        raw[field] = given;
      }
      // A variable that is not set would be an empty value: say which, rather than "not set" for the field.
      const needing = EAS_KEY_FIELDS.filter((field) => unsetVariables(raw[field], context.env).length > 0);
      if (needing.length > 0) {
        const unset = [...new Set(needing.flatMap((field) => unsetVariables(raw[field], context.env)))];
        const one = needing.length === 1;
        throw new AscKeyError(
          "source-invalid",
          `${needing.map((field) => `ios.${field}`).join(" and ")} need${one ? "s" : ""} ` +
            `${unset.map((variable) => `$${printableCut(variable, WIDTH.commandName)}`).join(" and ")}, which ` +
            `${unset.length === 1 ? "is" : "are"} not set.`,
        );
      }
      const value = (field: EasKeyField): string | undefined => {
        const text = raw[field] === undefined ? "" : envString(raw[field], context.env).trim();
        return text === "" ? undefined : text;
      };
      const keyId = value("ascApiKeyId");
      const issuerId = value("ascApiKeyIssuerId");
      const keyPath = value("ascApiKeyPath");
      if (!keyId) throw new AscKeyError("key-id-missing", "ios.ascApiKeyId is not set.");
      if (!keyPath) throw new AscKeyError("source-invalid", "ios.ascApiKeyPath is not set: it names the .p8.");
      const input: KeyInput = issuerId ? { kind: "team", keyId, issuerId } : { kind: "individual", keyId };
      const resolved = resolvePath(keyPath, project, context.home);
      input.p8Text = await keyAtPath(keyPath, project, context.home, keyId, "ios.ascApiKeyPath");
      const inside = path.relative(project, resolved);
      if (inside && !inside.startsWith("..") && !path.isAbsolute(inside)) file = resolved;
      return prepareKey(input);
    });
    if (result.ok && file) results.push({ ...result, file, afterImport: EAS_JSON_AFTER_IMPORT });
    else results.push(result);
  }
  return results;
}

/** The `$VAR` and `${VAR}` names in an eas.json field that `env` does not set (env-string would make them empty). */
function unsetVariables(text: string | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(/\$\{?([A-Za-z0-9_]+)/g)].map((match) => match[1]).filter((variable) => !env[variable]);
}

/** A profile's `ios` key fields, its parent's under them (`extends`, at most two levels, as eas-cli allows). */
function iosKeyFields(
  profiles: Record<string, unknown>,
  profile: string,
  name: string,
  depth: number,
): Partial<Record<EasKeyField, unknown>> {
  if (depth >= 2) throw new AscKeyError("source-invalid", "its extends chain is too long (eas allows one parent).");
  const entry = profiles[profile];
  if (entry === undefined) {
    throw new AscKeyError(
      "source-invalid",
      `it extends ${printableCut(profile, WIDTH.commandName)}, which ${name} does not have.`,
    );
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw new AscKeyError("source-invalid", "the profile is not an object.");
  }
  const { extends: parent, ios } = entry as { extends?: unknown; ios?: unknown };
  if (ios !== undefined && (ios === null || typeof ios !== "object" || Array.isArray(ios))) {
    throw new AscKeyError("source-invalid", "ios is not an object.");
  }
  const own: Partial<Record<EasKeyField, unknown>> = {};
  for (const field of EAS_KEY_FIELDS) {
    const value = (ios as Record<string, unknown> | undefined)?.[field];
    if (value !== undefined) own[field] = value;
  }
  if (parent === undefined) return own;
  if (typeof parent !== "string") throw new AscKeyError("source-invalid", "extends is not a profile's name.");
  // eas-cli merges the platform objects whole: the parent's ios, then the child's own fields over it.
  return { ...iosKeyFields(profiles, parent, name, depth + 1), ...own };
}

// ---------------------------------------------------------------------------------------------------------------
// The sources

/**
 * The keys in a JSON file the user picked (the Import Keys view, the import AI tool): Expo's eas.json, one per submit
 * profile that names a key (findInEasJson), or else fastlane's API key JSON, whatever its name (findInFastlaneJson).
 */
export async function findInPickedJson(
  filePath: string,
  context: Pick<ImportContext, "env" | "home">,
): Promise<Found[]> {
  let json: Record<string, unknown> | undefined;
  try {
    json = parseFastlaneJson(await readSmallFile(filePath, FASTLANE_JSON), printable(path.basename(filePath)));
  } catch {
    json = undefined; // fastlane's reader says why, naming the file
  }
  if (json !== undefined && isEasJson(json)) {
    return easJsonKeys(json, printable(path.basename(filePath)), path.dirname(filePath), context);
  }
  return [await findInFastlaneJson(filePath, context)];
}

/** The key in a fastlane API key JSON file, as a candidate (broken with its reason when it is not usable). */
export async function findInFastlaneJson(filePath: string, context: Pick<ImportContext, "home">): Promise<Found> {
  const origin = printable(path.basename(filePath));
  return found(origin, filePath, async () => prepareKey(await readFastlaneJsonKey(filePath, context)));
}

/**
 * The keys the environment holds, in each tool's own names (src/lib/exports/: fastlane, the asc CLI, codemagic, and
 * the file group of `asc-key exec`). A group gives one candidate per variable holding a key (text, base64, a path to
 * the .p8, or fastlane's JSON file), with the group's Key ID and Issuer ID; a group with no key set gives none.
 */
export async function findInEnvironment(context: ImportContext): Promise<Found[]> {
  const { env } = context;
  const value = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const results: Found[] = [];
  for (const spec of EXPORT_TABLE) {
    const variables = readableVariables(spec);
    const named = (role: ReadRole) => variables.filter((variable) => variable.role === role).map((v) => v.name);
    const first = (role: ReadRole) => named(role).find((name) => value(name) !== undefined);
    const keyIdVar = first("key-id");
    const issuerVar = first("issuer-id");
    const kindVar = first("key-kind");
    const base64Flag = first("base64-flag");
    const inHouseVar = first("in-house");
    for (const variable of variables) {
      const raw = value(variable.name);
      if (raw === undefined) continue;
      const origin = `$${variable.name}`;
      if (variable.role === "fastlane-json") {
        const file = resolvePath(raw, context.cwd, context.home);
        results.push(await found(origin, undefined, async () => prepareKey(await readFastlaneJsonKey(file, context))));
        continue;
      }
      if (!["key-text", "key-base64", "key-path"].includes(variable.role)) continue;
      results.push(
        await found(origin, undefined, async () => {
          if (inHouseVar && isTrue(value(inHouseVar))) throw inHouse(`$${inHouseVar}`, "it");
          if (!keyIdVar) {
            throw new AscKeyError(
              "key-id-missing",
              `${origin} holds a key but ${named("key-id")
                .map((name) => `$${name}`)
                .join(" or ")} is not set.`,
            );
          }
          const keyId = value(keyIdVar)!;
          const kind = kindOf(issuerVar, kindVar && value(kindVar), named("issuer-id")[0]);
          const input: KeyInput = { kind, keyId };
          if (kind === "team") input.issuerId = value(issuerVar!);
          if (variable.role === "key-path") {
            input.p8Text = await keyAtPath(raw, context.cwd, context.home, keyId, origin);
          } else if (variable.role === "key-base64" || (base64Flag && isTrue(value(base64Flag)))) {
            input.p8Text = strictBase64(raw, origin);
          } else {
            input.p8Text = raw;
          }
          return prepareKey(input);
        }),
      );
    }
  }
  return results;
}

function isTrue(text: string | undefined): boolean {
  return text !== undefined && /^(true|1|yes)$/i.test(text);
}

/** Team when the group's Issuer ID is set; individual when not (as fastlane and asc read it), unless told "team". */
function kindOf(issuerVar: string | undefined, kind: string | undefined, issuerName: string | undefined): KeyKind {
  if (issuerVar) return "team";
  if (kind?.toLowerCase() === "team") {
    throw new AscKeyError("issuer-id-missing", `The key type is team but $${issuerName} is not set.`);
  }
  return "individual";
}

/** The folders Apple's tools search for `AuthKey_<Key ID>.p8`, each once: ./private_keys, the home ones, API_PRIVATE_KEYS_DIR. */
export function keyFolders(context: ImportContext): string[] {
  const fromEnv = EXPORT_TABLE.flatMap(readableVariables)
    .filter((variable) => variable.role === "folder")
    .map((variable) => context.env[variable.name]?.trim())
    .filter((folder): folder is string => !!folder)
    .map((folder) => resolvePath(folder, context.cwd, context.home));
  const folders = [path.join(context.cwd, "private_keys"), ...privateKeysFolders(context.home), ...fromEnv];
  return [...new Set(folders.map((folder) => path.resolve(folder)))];
}

/**
 * The `AuthKey_<Key ID>.p8` files in the folders Apple's tools search. A .p8 carries no Issuer ID: with `issuerId`
 * given each is prepared as a team key of that team, else it needs one (withIssuerId) before it can be imported.
 */
export async function findInFolders(context: ImportContext, issuerId?: string): Promise<Found[]> {
  const results: Found[] = [];
  for (const folder of keyFolders(context)) {
    let names: string[];
    try {
      names = (await fs.readdir(folder)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const keyId = keyIdFromFileName(name);
      if (!keyId) continue;
      const file = path.join(folder, name);
      const origin = printable(shortPath(file, context.home));
      if (issuerId !== undefined) {
        results.push(await found(origin, file, () => prepareKey({ kind: "team", issuerId, keyId, p8Path: file })));
        continue;
      }
      const read = await found(origin, file, () => prepareKey({ kind: "individual", keyId, p8Path: file }));
      results.push(
        read.ok && "prepared" in read
          ? { ok: true, origin, file, needsIssuerId: true, keyId, fingerprint: read.prepared.fingerprint }
          : read,
      );
    }
  }
  return results;
}

/** A folder's .p8 (a candidate that needs an Issuer ID) prepared as a team key of `issuerId`. */
export function withIssuerId(candidate: KeyCandidate, issuerId: string): Promise<PreparedKey> {
  if (!candidate.file) throw new Error("withIssuerId: the candidate has no file");
  return prepareKey({ kind: "team", issuerId, keyId: candidate.keyId, p8Path: candidate.file });
}

function shortPath(file: string, home: string): string {
  const relative = path.relative(home, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? `~/${relative}` : file;
}

/** Runs one source's read: a key, or a broken candidate whose reason starts with where it came from. */
async function found(origin: string, file: string | undefined, read: () => Promise<PreparedKey>): Promise<Found> {
  try {
    return { ok: true, origin, file, prepared: await read() };
  } catch (error) {
    if (!isAscKeyError(error)) throw error;
    const reason = error.message.startsWith(origin) ? error.message : `${origin}: ${error.message}`;
    return { ok: false, origin, file, reason };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Against the saved keys

/**
 * Each distinct key once (the same Key ID, key material and Issuer ID found in several places is one candidate with
 * every origin), with its state against `saved` (the saved keys as listed: their fingerprints are in the list, so no
 * saved secret is read): new, saved already, or the same Key ID with other key material. Broken ones keep their reason.
 */
export function classifyCandidates(found: readonly Found[], saved: readonly ListedKey[]): ImportCandidate[] {
  const candidates: ImportCandidate[] = [];
  const byIdentity = new Map<string, KeyCandidate>();
  for (const item of found) {
    if (!item.ok) {
      candidates.push({
        state: "broken",
        origins: [item.origin],
        file: item.file,
        keyId: item.keyId,
        reason: item.reason,
      });
      continue;
    }
    const facts =
      "prepared" in item
        ? {
            keyId: item.prepared.record.keyId,
            fingerprint: item.prepared.fingerprint,
            kind: item.prepared.record.kind,
            issuerId: item.prepared.record.issuerId,
          }
        : { keyId: item.keyId, fingerprint: item.fingerprint, kind: undefined, issuerId: undefined };
    const identity = [facts.keyId, facts.fingerprint, facts.kind ?? "", facts.issuerId ?? ""].join("|");
    const same = byIdentity.get(identity);
    if (same) {
      same.origins.push(item.origin);
      if (!same.file && item.file) {
        same.file = item.file;
        if ("afterImport" in item && item.afterImport) same.afterImport = item.afterImport;
      }
      continue;
    }
    const match = saved.find((key) => key.keyId === facts.keyId);
    const candidate: KeyCandidate = {
      state: !match ? "new" : isSavedAlready(match, facts) ? "saved" : "other-material",
      keyId: facts.keyId,
      fingerprint: facts.fingerprint,
      origins: [item.origin],
    };
    if (item.file) candidate.file = item.file;
    if ("afterImport" in item && item.afterImport) candidate.afterImport = item.afterImport;
    if (facts.kind) candidate.kind = facts.kind;
    if (facts.issuerId) candidate.issuerIdSuffix = issuerIdSuffix(facts.issuerId);
    // A .p8 carries no Issuer ID, but one saved already needs none: it is shown with the saved key's team.
    if (candidate.state === "saved" && match?.state === "ok" && !facts.kind) {
      candidate.kind = match.kind;
      if (match.issuerIdSuffix) candidate.issuerIdSuffix = match.issuerIdSuffix;
    }
    if ("prepared" in item) candidate.prepared = item.prepared;
    if (match) candidate.savedAs = match.name;
    byIdentity.set(identity, candidate);
    candidates.push(candidate);
  }
  return candidates;
}

/**
 * classifyCandidates against the keys saved in `store`: one listing (the list of saved keys and LingCode's entry, to
 * know a key saved only there). Nothing is read when every candidate is broken.
 */
export async function importCandidates(found: readonly Found[], store: KeyStore): Promise<ImportCandidate[]> {
  const saved = found.some((item) => item.ok) ? (await listKeys(store)).keys : [];
  return classifyCandidates(found, saved);
}

/** What a candidate's state means, one short phrase, for lists (`--list`, the Import Keys view). */
export function stateWords(candidate: ImportCandidate): string {
  switch (candidate.state) {
    case "new":
      return candidate.prepared ? "new" : "new; needs the Issuer ID of its team";
    case "saved":
      return `already saved as "${candidate.savedAs}"; nothing to do`;
    case "other-material":
      return `Key ID saved as "${candidate.savedAs}" with other key material; importing replaces it`;
    case "broken":
      return candidate.reason;
  }
}
