import { Detail } from "@raycast/api";
import { dismissKeyToRevoke, lastCheckOf, readRememberedEntry } from "../helpers/local-storage";
import { rotationDays } from "../helpers/preferences";
import { useRememberedChecks } from "../hooks/useRememberedChecks";
import { useKeyHealth } from "../hooks/useKeyHealth";
import { useKeyStatus } from "../hooks/useKeyStatus";
import { ageInDays, type RememberedCheck } from "../lib/apple";
import { describeError, isUnreadableEntry } from "../lib/errors";
import { retiredHealthLines } from "../lib/health";
import {
  savedBesideSentence,
  type Registration,
  type RevocationStep,
  type StatusReport,
  revocationSteps,
} from "../lib/keys";
import { NOT_CONFIGURED_SENTENCE, summarySentence, type KeySummary } from "../lib/status";
import { KeyActions, type EntryReading } from "./KeyActions";
import { KeyMetadata } from "./KeyMetadata";
import { RetiredKeyActions, RetiredKeyRows, retiredMarkdown } from "./RetiredKeys";
import { useRetiredKeys } from "../hooks/useRetiredKeys";
import { capabilitiesMarkdown, healthMarkdown } from "./status-sections";

function statusMarkdown(options: {
  state: EntryReading;
  sentence: string;
  summary?: KeySummary;
  error?: string;
  /** What is left to end a rotation: "Revoke key … on Team Keys.", then (once known) what proves it. */
  steps: readonly RevocationStep[];
  check?: RememberedCheck;
  rotateAfter?: number;
  /** A key just saved beside the one shown, which LingCode does not use. */
  savedBeside?: Registration;
}): string {
  const { state, summary, error, steps, check, rotateAfter, savedBeside } = options;
  if (state === "unreadable") {
    return [
      "# The Saved Key Entry Is Unreadable",
      error,
      "Register the key again to replace the entry, or remove it.",
    ].join("\n\n");
  }
  if (state === "failed") {
    const parts = ["# The Keychain Could Not Be Read", error ?? ""];
    if (summary) parts.push(`Last known: ${options.sentence}`);
    return parts.join("\n\n");
  }
  const parts = [`# ${options.sentence}`];
  if (savedBeside) {
    parts.push(
      `> ${savedBesideSentence({ ...savedBeside.summary, name: savedBeside.name }, savedBeside.inUse)} API Keys switches to it in one step.`,
    );
  }
  if (!summary) {
    if (state === "read") {
      parts.push(
        "Register the App Store Connect API key LingCode should use: the Issuer ID, the Key ID and the .p8 file Apple let you download once. An **App Manager** key is the smallest role that manages TestFlight.",
      );
    }
    return parts.join("\n\n");
  }
  // The step first, the same from the first render on; the proof is added after it once the retired keys are read.
  for (const { step, proof, note } of steps) {
    parts.push(`> **${step}**${proof ? ` ${proof}` : ""}${note ? `\n>\n> _${note}_` : ""}`);
  }
  // Apple's last answer is said once, in Health (and its time in the metadata).
  if (!check) parts.push("Not checked with Apple yet: Verify with Apple sends one request.");
  const age = ageInDays(summary.savedAt);
  if (rotateAfter !== undefined && age >= rotateAfter) {
    parts.push(`This key is ${age} days old; consider rotating it (Rotate Key…).`);
  }
  return parts.join("\n\n");
}

/** What the view knows about the Keychain entry, from the hook's state. */
function entryState(status: { error?: unknown; isLoading: boolean }, hasData: boolean): EntryReading {
  if (status.error) return isUnreadableEntry(status.error) ? "unreadable" : "failed";
  return status.isLoading && !hasData ? "reading" : "read";
}

/**
 * API Key Status: "is my key set up?" at a glance, and everything to do about it. `registered` is a registration
 * that just happened: its read-back already confirmed the entry, so it is shown as it is, without another Keychain
 * read, until the user refreshes.
 */
export function KeyStatusView(props: { registered?: Registration }) {
  const status = useKeyStatus(props.registered && reportOf(props.registered));
  const savedBeside = props.registered && !props.registered.active ? props.registered : undefined;
  const remembered = useRememberedChecks();
  const data = status.data;
  const state = entryState(status, data !== undefined);
  const summary = state !== "unreadable" && data?.status.configured ? data.status : undefined;
  const error = status.error ? describeError(status.error) : undefined;
  const retired = useRetiredKeys();
  const retiredKeys = retired.data ?? [];
  // The reminder to revoke a replaced key is the retired key's live state once its material is kept as one.
  const reminder = remembered.data?.keyToRevoke;
  const keyToRevoke = reminder && retiredKeys.some((key) => key.keyId === reminder.keyId) ? undefined : reminder;
  // One derivation for the first render and the settled one: the step stays, the proof follows once read.
  const steps = summary ? revocationSteps(retired.data, reminder ? [reminder.keyId] : []) : [];
  const stepped = new Set(steps.map((step) => step.keyId));
  const check = summary && lastCheckOf(remembered.data, summary.keyId);
  const rotateAfter = rotationDays();
  const health = useKeyHealth(summary, check, rotateAfter);
  const sentence = data?.sentence ?? (state === "reading" ? "Reading the Keychain…" : NOT_CONFIGURED_SENTENCE);

  const refresh = () => {
    void status.revalidate();
    void remembered.revalidate();
    void health.revalidate();
    void retired.revalidate();
  };

  return (
    <Detail
      navigationTitle="API Key Status"
      isLoading={status.isLoading || remembered.isLoading || retired.isLoading}
      markdown={[
        statusMarkdown({ state, sentence, summary, error, steps, check, rotateAfter, savedBeside }),
        // A key whose step is said above is not said again below.
        retiredMarkdown(retiredKeys.filter((key) => !stepped.has(key.keyId))),
        ...(summary && state === "read"
          ? [
              capabilitiesMarkdown(remembered.data?.capabilities, summary.keyId),
              healthMarkdown([
                ...(health.data?.lines ?? []),
                ...retiredHealthLines(retiredKeys, Date.now(), rotateAfter ?? 0),
              ]),
            ]
          : []),
      ]
        .filter(Boolean)
        .join("\n\n")}
      metadata={
        summary ? (
          <KeyMetadata summary={summary} check={check} keyToRevoke={keyToRevoke} rotateAfter={rotateAfter}>
            <RetiredKeyRows keys={retiredKeys} />
          </KeyMetadata>
        ) : undefined
      }
      actions={
        <KeyActions
          state={state}
          summary={summary}
          keyToRevoke={summary ? keyToRevoke?.keyId : undefined}
          lastSeen={check}
          leftovers={health.data?.leftovers}
          onChanged={refresh}
          onLeftoversMoved={() => void health.revalidate()}
          onRoleRecorded={() => void remembered.revalidate()}
          onRemoved={() => {
            // The removal has read back what LingCode uses now and remembered it: shown without another read.
            void shownAfterRemoval(summary?.keyId).then((report) =>
              report ? status.show(report) : status.revalidate(),
            );
            void remembered.revalidate();
          }}
          onVerified={(verified) => {
            status.show({ status: verified, sentence: summarySentence(verified) });
            void remembered.revalidate();
          }}
          onRegistered={(registration) => {
            const report = reportOf(registration);
            if (report) status.show(report);
            else status.revalidate();
            void remembered.revalidate();
            // A rotation keeps the old key as a retired key.
            void retired.revalidate();
          }}
          onDismissRevoke={async () => {
            await dismissKeyToRevoke();
            void remembered.revalidate();
          }}
        >
          <RetiredKeyActions keys={retiredKeys} onChanged={refresh} />
        </KeyActions>
      }
    />
  );
}

/**
 * What LingCode uses after a removal, as the removal remembered it (LocalStorage, nothing secret), or undefined when
 * that is not known for sure (remembering failed, so the removed key may still be the one remembered): then read.
 */
async function shownAfterRemoval(removed: string | undefined): Promise<StatusReport | undefined> {
  const entry = await readRememberedEntry().catch(() => undefined);
  if (entry?.state === "none") return { status: { configured: false }, sentence: NOT_CONFIGURED_SENTENCE };
  if (entry?.state !== "key" || entry.summary.keyId === removed) return undefined;
  return { status: entry.summary, sentence: summarySentence(entry.summary) };
}

/**
 * What the Keychain holds after a registration, as it knows: the new key when LingCode uses it (read back), else the
 * key LingCode kept (read by the registration's plan), or nothing known (then the view reads the entry).
 */
function reportOf(registration: Registration): StatusReport | undefined {
  if (registration.active) return { status: registration.summary, sentence: registration.sentence };
  const kept = registration.inUse;
  return kept && { status: summaryOnly(kept), sentence: summarySentence(kept) };
}

function summaryOnly(key: KeySummary): KeySummary {
  const { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt } = key;
  return issuerIdSuffix === undefined
    ? { configured, kind, keyId, fingerprint, savedAt }
    : { configured, kind, keyId, issuerIdSuffix, fingerprint, savedAt };
}
