import { Tool } from "@raycast/api";
import { addToCiSecrets } from "../helpers/ci-secrets";
import { keyStore } from "../helpers/core";
import { CI_VENDOR, ciNames, isCiVendor, leftOutWords, parseCiGroups, parseCiTarget, whereWords } from "../lib/ci";
import { AscKeyError, describeError } from "../lib/errors";
import { listedKeyFor, namedKey } from "../lib/keys";

type Input = {
  /** Where the secrets go: "owner/name" on GitHub, "group/project" on GitLab, as the user said it. */
  repository: string;
  /** "github" (GitHub Actions secrets, set with gh) or "gitlab" (GitLab CI/CD variables, set with glab). */
  vendor: string;
  /**
   * The tools whose names to set, comma-separated: any of "fastlane", "asc" (the asc command line) and "codemagic",
   * e.g. "fastlane,asc". Leave it out for all three.
   */
  tools?: string;
  /** GitHub only: a deployment environment's secrets (e.g. "production") instead of the repository's. */
  environment?: string;
  /** A saved key by the name the user gave it or its Key ID; leave it out for the key LingCode uses. */
  key?: string;
};

/** Where and which groups, checked; the key (listed, nothing secret read) and the names it gets. */
async function planOf(input: Input) {
  const vendor = String(input.vendor ?? "").toLowerCase();
  if (!isCiVendor(vendor)) throw new AscKeyError("ci-target-invalid", 'The vendor is "github" or "gitlab".');
  const target = parseCiTarget({
    vendor,
    repo: String(input.repository ?? ""),
    environment: input.environment || undefined,
  });
  const groups = parseCiGroups(input.tools ? String(input.tools).split(",") : undefined);
  const key = await listedKeyFor(keyStore(), input.key === undefined ? undefined : String(input.key));
  return { target, groups, key };
}

/**
 * The plan's refusals, which the tool itself answers with their reason (so nothing is asked): a target or group it
 * cannot use, no key, a name or Key ID that means no key. Anything else (a locked Keychain) is not an answer.
 */
function isRefusal(code: string): boolean {
  return code === "ci-target-invalid" || code === "no-key" || code.startsWith("key-");
}

/** Asked first: the repository and every name to be set, with the key's name and Key ID (no value). */
export const confirmation: Tool.Confirmation<Input> = async (input) => {
  let plan;
  try {
    plan = await planOf(input);
  } catch (error) {
    if (error instanceof AscKeyError && isRefusal(error.code)) return undefined;
    throw error;
  }
  const { target, groups, key } = plan;
  if (!key || key.state !== "ok") return undefined;
  const names = ciNames(key.kind, groups);
  const info = [
    { name: "Where", value: whereWords(target) },
    { name: "Key", value: namedKey(key) },
    { name: "Names", value: names.names.map((n) => n.name).join(", ") },
  ];
  const leftOut = leftOutWords(names.leftOut, groups);
  if (leftOut) info.push({ name: "Left Out", value: leftOut });
  return {
    message: `Set ${names.names.length} ${CI_VENDOR[target.vendor].secrets} for "${key.name}" in ${whereWords(target)}?`,
    info,
  };
};

/**
 * Sets an App Store Connect key as CI secrets (GitHub Actions secrets with gh, GitLab CI/CD variables with glab) in
 * each tool's own names, the key as one line of base64 wherever the tool reads base64. The key goes only to gh's or
 * glab's stdin. Returns the names set and where, and the lines a workflow needs to read them; or, when nothing was
 * set, why, in one line (gh or glab missing or not logged in, no access, an unknown repository, a refused name) or,
 * when only part was set, which names were and which not.
 */
export default async function tool(input: Input) {
  try {
    const { target, groups, key } = await planOf(input);
    const added = await addToCiSecrets(input.key === undefined ? undefined : key?.keyId, target, groups);
    return {
      set: true,
      where: added.where,
      keyId: added.keyId,
      names: added.set,
      updated: added.updated,
      leftOut: leftOutWords(added.names.leftOut, groups),
      workflow: added.workflow.join("\n"),
    };
  } catch (error) {
    if (error instanceof AscKeyError) return { set: false, reason: describeError(error) };
    throw error;
  }
}
