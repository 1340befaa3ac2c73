import { Clipboard, open, showHUD, showToast, Toast } from "@raycast/api";
import { OUTCOME, TEAM_KEYS_URL, type CapabilityReport } from "../lib/apple";
import { checkSavedKeyCapabilities, mintSavedToken, type LastSeenQuota, type Verification } from "../lib/keys";
import type { KeySummary } from "../lib/status";
import { decodeTokenClaims, DEFAULT_TTL_SECONDS } from "../lib/token";
import { bestEffort, saveCapabilities } from "./local-storage";
import { appleOptions, keyStore } from "./core";
import { showFailure } from "./toast";
import { moveKeyFilesToTrash } from "./trash";
import { verifyAndRemember } from "./verify";

/**
 * Verify with Apple: one Keychain read and one request, one toast, the answer remembered for the status view and the
 * launcher. Returns what was checked (the key as just read, and Apple's answer), or undefined when the Keychain
 * gave no key.
 */
/**
 * `saved`: a saved key LingCode does not use, by Key ID. Its answer is shown, not remembered: what is remembered (the
 * launcher subtitle, the status view) speaks of the key LingCode uses.
 */
export interface OtherKey {
  saved?: string;
}

export async function verifyWithToast(keyId: string, other: OtherKey = {}): Promise<Verification | undefined> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Checking Key ${keyId} with Apple…` });
  let verification: Verification;
  try {
    // Remembered for the key checked; the launcher speaks of the key LingCode uses.
    verification = await verifyAndRemember({ key: other.saved });
  } catch (error) {
    await showFailure("Couldn't Check the Key", error, toast);
    return undefined;
  }
  const { check } = verification;
  const facts = OUTCOME[check.outcome];
  toast.style = facts.usable ? Toast.Style.Success : Toast.Style.Failure;
  toast.title = facts.toastTitle;
  toast.message = check.message;
  if (check.outcome === "rejected") {
    toast.primaryAction = { title: "Open Team Keys", onAction: () => open(TEAM_KEYS_URL) };
  }
  return verification;
}

/**
 * Check What the Key Can Do: one token, up to six read-only requests at once, one toast; the answer remembered for
 * the status view. Nothing is sent when the last answer said fewer than 20 requests are left this hour.
 */
export async function checkCapabilitiesWithToast(
  keyId: string,
  lastSeen?: LastSeenQuota,
  other: OtherKey = {},
): Promise<KeySummary | undefined> {
  const toast = await showToast({ style: Toast.Style.Animated, title: `Checking What Key ${keyId} Can Do…` });
  let report: CapabilityReport;
  let summary: KeySummary;
  try {
    ({ report, summary } = await checkSavedKeyCapabilities(keyStore(), {
      ...appleOptions(),
      lastSeen,
      key: other.saved,
    }));
  } catch (error) {
    await showFailure("Couldn't Check What the Key Can Do", error, toast);
    return undefined;
  }
  const warning = report.conclusions.find((conclusion) => conclusion.level === "warn");
  const usable = OUTCOME[report.outcome].usable;
  toast.style = usable ? Toast.Style.Success : Toast.Style.Failure;
  toast.title = usable ? capabilityTitle(report) : OUTCOME[report.outcome].toastTitle;
  toast.message = usable ? warning?.text : report.message;
  if (other.saved === undefined) await bestEffort(() => saveCapabilities(report));
  return summary;
}

/** "Can Do 4 of 5", or why it is not known. */
function capabilityTitle(report: CapabilityReport): string {
  const results = Object.values(report.areas);
  const yes = results.filter((result) => result?.answer === "yes").length;
  const unknown = results.filter((result) => result?.answer === "unknown").length;
  if (report.requests === 0) return "Not Checked: Few Requests Left This Hour";
  return unknown > 0 ? `Can Do ${yes} of ${results.length}, ${unknown} Unknown` : `Can Do ${yes} of ${results.length}`;
}

/** Moves the copies of the saved key's .p8 left on disk to the Trash (a link's file too), with one toast. */
export async function trashLeftovers(files: string[]): Promise<void> {
  const toast = await showToast({ style: Toast.Style.Animated, title: "Moving to the Trash…" });
  try {
    await moveKeyFilesToTrash(files);
    toast.style = Toast.Style.Success;
    toast.title = files.length === 1 ? "Moved the .p8 to the Trash" : `Moved ${files.length} .p8 Files to the Trash`;
  } catch (error) {
    await showFailure("Couldn't Move to the Trash", error, toast);
  }
}

/** Copies a fresh 10-minute token, concealed so it stays out of clipboard history. */
export async function copyToken(other: OtherKey = {}): Promise<void> {
  try {
    const token = await mintSavedToken(keyStore(), { ttlSeconds: DEFAULT_TTL_SECONDS, reuse: false, key: other.saved });
    await Clipboard.copy(token, { concealed: true });
    // Named for the key that signed it (its `kid`), which is the key read now, whatever key the view showed.
    const claims = decodeTokenClaims(token);
    const until = new Date(claims.expiresAt * 1000).toLocaleTimeString(undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
    await showHUD(`Copied a token for key ${claims.keyId}, valid until ${until}`);
  } catch (error) {
    await showFailure("Couldn't Make a Token", error);
  }
}
