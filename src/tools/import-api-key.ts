import { Tool } from "@raycast/api";
import os from "node:os";
import path from "node:path";
import { appleOptions, keyStore } from "../helpers/core";
import { AscKeyError, describeError, isAscKeyError, refusedInput } from "../lib/errors";
import { maskIssuerId } from "../lib/ids";
import { printable } from "../lib/text";
import { classifyCandidates, findInPickedJson, type KeyCandidate } from "../lib/import";
import {
  AppleCheckError,
  namedKey,
  planRegistration,
  prepareKey,
  applyRegistration,
  revokeReplaced,
  savedBesideSentence,
  type PreparedKey,
  type RegistrationPlan,
} from "../lib/keys";
import { individualHint, savedNotes, whatItReplaces, whoLingCodeUses } from "./save-api-key";

type Input = {
  /**
   * The path of fastlane's API key JSON file (the file fastlane's api_key_path reads: key_id, issuer_id and the key),
   * e.g. /Users/me/ci/asc.json or ~/ci/asc.json, or of an Expo project's eas.json (its submit profiles name the key:
   * ascApiKeyPath, ascApiKeyId, ascApiKeyIssuerId), e.g. ~/code/my-app/eas.json. Never the file's contents.
   */
  path: string;
  /**
   * The Key ID of the key to import, only when an earlier call answered that the file holds several keys (eas.json
   * profiles with different keys), e.g. "2X9R4HXF34".
   */
  keyId?: string;
  /**
   * A short name to know the key by among the saved keys, e.g. the client or team it is for ("Acme"). Optional: by
   * default the key keeps the name it was saved under, or is called "Unnamed key".
   */
  name?: string;
  /**
   * Whether LingCode should use this key from now on. Leave it out unless the user said: by default LingCode uses it
   * when LingCode has no key or uses a key of the same team, and otherwise it is only saved beside the others.
   */
  useForLingCode?: boolean;
  /**
   * True only when an earlier call answered `individualKey: true` (Apple accepted the key as an individual key): the
   * key is then saved as an individual key, and the Issuer ID in the file is left out. Default false.
   */
  individual?: boolean;
};

function filePath(input: Input): string {
  const given = String(input.path ?? "").trim();
  return given === "~" || given.startsWith("~/") ? path.join(os.homedir(), given.slice(1)) : given;
}

/** The key the file holds, and the file that holds it in clear (the JSON itself, or the .p8 an eas.json names). */
interface Read {
  prepared: PreparedKey;
  /** The file holding the key in clear; none for a .p8 an eas.json names outside its project. */
  holder?: string;
  /** What else to say once it is saved (eas.json: how its profile can point at the saved key). */
  afterImport?: string;
}

/**
 * The key in the file (fastlane's JSON, or the one key of an eas.json's submit profiles, or the one `keyId` names),
 * prepared as the register form prepares one. Throws the reason (naming the file and profile).
 */
async function read(input: Input): Promise<Read> {
  const file = filePath(input);
  const candidates = classifyCandidates(await findInPickedJson(file, { home: os.homedir(), env: process.env }), []);
  const usable = candidates.filter((candidate): candidate is KeyCandidate => candidate.state !== "broken");
  const wanted = input.keyId?.trim().toUpperCase();
  const matching = wanted ? usable.filter((candidate) => candidate.keyId === wanted) : usable;
  if (matching.length !== 1 || !matching[0].prepared) {
    const broken = candidates.find((candidate) => candidate.state === "broken");
    const ids = [...new Set(usable.map((candidate) => candidate.keyId))].join(", ");
    const name = path.basename(file);
    throw new AscKeyError(
      "source-invalid",
      matching.length > 1 || (wanted === undefined && usable.length > 1)
        ? `${name} holds ${usable.length} keys (${ids}); call again with keyId set to one of them.`
        : usable.length > 0
          ? `${name} holds no key with that Key ID; it holds ${ids}.`
          : broken?.state === "broken"
            ? broken.reason
            : `${name} holds no App Store Connect key.`,
    );
  }
  const { prepared, file: holder, afterImport } = matching[0];
  const record = prepared!.record;
  const key = { kind: record.kind, issuerId: record.issuerId, keyId: record.keyId, p8Text: record.privateKey };
  return {
    prepared: await prepareKey(input.individual === true ? { ...key, kind: "individual", issuerId: undefined } : key),
    holder,
    afterImport,
  };
}

/** What to remind the user of: the file that still holds the key in clear, and what eas.json can say instead. */
function fileReminder(read: Read, saved: boolean): string | undefined {
  // The file's name is outside text: eas.json's ascApiKeyPath may name it.
  const file = read.holder && printable(path.basename(read.holder));
  const words = file
    ? saved
      ? `${file} still holds the private key in clear; now that the key is saved, delete it or move it to the Trash.`
      : `${file} holds the private key in clear; delete it or move it to the Trash.`
    : undefined;
  return [words, read.afterImport].filter(Boolean).join(" ") || undefined;
}

/**
 * Asked before the tool runs, like the save tool's: the key, the name it is saved under, whether LingCode will use it,
 * and what it replaces. No confirmation when nothing will be saved: the file cannot be imported (a reason), or the
 * very same key is saved already (nothing to do).
 */
export const confirmation: Tool.Confirmation<Input> = async (input) => {
  let prepared: PreparedKey;
  try {
    ({ prepared } = await read(input));
  } catch {
    return undefined;
  }
  const { record } = prepared;
  const info = [
    { name: "Key ID", value: record.keyId },
    record.issuerId
      ? { name: "Issuer ID", value: maskIssuerId(record.issuerId) }
      : { name: "Key Type", value: "Individual" },
    { name: "File", value: path.basename(filePath(input)) },
  ];
  let plan: RegistrationPlan;
  try {
    plan = await planRegistration(prepared, keyStore(), { name: input.name, use: input.useForLingCode });
  } catch (error) {
    if (refusedInput(error) || isAscKeyError(error, "choice-invalid")) return undefined;
    info.push({ name: "Replaces", value: `The saved key, if any (could not be read: ${describeError(error)})` });
    return {
      message: `Check key ${record.keyId} with Apple and save it in the Keychain, replacing any saved key?`,
      info,
    };
  }
  if (plan.alreadySaved) return undefined;
  const uses = whoLingCodeUses(plan, record.keyId);
  const replaced = whatItReplaces(plan);
  info.push(
    { name: "Name", value: plan.name },
    { name: "LingCode Uses", value: uses.row },
    { name: "Replaces", value: replaced.row },
  );
  return {
    message: `Import key ${record.keyId} from ${path.basename(filePath(input))}: check it with Apple and save it in the Keychain as "${plan.name}"${uses.clause}${replaced.clause}?`,
    info,
  };
};

/**
 * Imports the App Store Connect API key in fastlane's API key JSON file (key_id, issuer_id, key) or an Expo project's
 * eas.json (its submit profile's ascApiKeyPath, ascApiKeyId, ascApiKeyIssuerId): the same check with
 * Apple and the same save as the save tool, under a name, beside the other saved keys. A key saved already is left as
 * it is. Returns the status sentence and fingerprint, or the reason nothing was saved; the file still holds the key in
 * clear afterwards, so it reminds the user to delete it.
 */
export default async function tool(input: Input) {
  let found: Read;
  let registration;
  try {
    found = await read(input);
    const { prepared } = found;
    const plan = await planRegistration(prepared, keyStore(), { name: input.name, use: input.useForLingCode });
    if (plan.alreadySaved) {
      return {
        saved: false,
        alreadySaved: true,
        name: plan.alreadySaved.name,
        keyId: plan.alreadySaved.keyId,
        reason: `${namedKey(plan.alreadySaved)} is already saved; nothing to do.`,
        fileReminder: fileReminder(found, false),
      };
    }
    // Planned just above, with only Apple's check in between: applied without a second look.
    registration = await applyRegistration(plan, { check: appleOptions(), privilege: {}, recheck: false });
  } catch (error) {
    if (error instanceof AppleCheckError) {
      const { individualKey, nextStep } = individualHint(
        error,
        "import-api-key again with the same path and individual: true",
      );
      return { saved: false, outcome: error.check.outcome, reason: error.message, individualKey, nextStep };
    }
    if (error instanceof AscKeyError) return { saved: false, reason: error.message };
    throw error;
  }
  const { warnings, roleNote } = await savedNotes(registration);
  const { inUse, replaced } = registration;
  return {
    saved: true,
    name: registration.name,
    keyId: registration.summary.keyId,
    usedByLingCode: registration.active,
    sentence: registration.active
      ? registration.sentence
      : savedBesideSentence({ ...registration.summary, name: registration.name }, inUse),
    fingerprint: registration.fingerprint,
    outcome: registration.check?.outcome,
    message: registration.check?.message,
    warnings,
    roleNote,
    replacedKeyId: replaced?.keyId,
    revokeReminder: replaced ? revokeReplaced(replaced) : undefined,
    fileReminder: fileReminder(found, true),
  };
}
