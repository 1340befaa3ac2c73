import { Color, Detail, Icon } from "@raycast/api";
import { dismissKeyToRevoke, type KeyToRevoke } from "../helpers/memory";
import { rotationDays } from "../helpers/preferences";
import { useKeyMemory } from "../hooks/useKeyMemory";
import { useKeyStatus } from "../hooks/useKeyStatus";
import { ageInDays, formatAge, type RememberedCheck } from "../lib/check-summary";
import { describeError, isUnreadableEntry } from "../lib/errors";
import { OUTCOME } from "../lib/outcomes";
import type { Registration } from "../lib/pipeline";
import { NOT_CONFIGURED_SENTENCE, type KeySummary } from "../lib/status";
import { KeyActions, type EntryState } from "./KeyActions";

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function formatDays(days: number): string {
  if (days === 0) return "Less than a day";
  return days === 1 ? "1 day" : `${days} days`;
}

function statusMarkdown(options: {
  state: EntryState;
  sentence: string;
  summary?: KeySummary;
  error?: string;
  keyToRevoke?: KeyToRevoke;
  check?: RememberedCheck;
  rotateAfter?: number;
}): string {
  const { state, summary, error, keyToRevoke, check, rotateAfter } = options;
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
  if (!summary) {
    if (state === "read") {
      parts.push(
        "Register the App Store Connect API key LingCode should use: the Issuer ID, the Key ID and the .p8 file Apple let you download once. An **App Manager** key is the smallest role that manages TestFlight.",
      );
    }
    return parts.join("\n\n");
  }
  if (keyToRevoke) {
    const by = keyToRevoke.replacedBy ? ` It was replaced by ${keyToRevoke.replacedBy} and` : " It";
    parts.push(`> **Revoke key ${keyToRevoke.keyId} on Team Keys.**${by} keeps working at Apple until you revoke it.`);
  }
  if (check && check.keyId === summary.keyId) parts.push(`Last check, ${formatAge(check.checkedAt)}: ${check.message}`);
  else parts.push("Not checked with Apple yet: Verify with Apple sends one request.");
  const age = ageInDays(summary.savedAt);
  if (rotateAfter !== undefined && age >= rotateAfter) {
    parts.push(`This key is ${age} days old; consider rotating it (Rotate Key…).`);
  }
  return parts.join("\n\n");
}

/**
 * API Key Status: "is my key set up?" at a glance, and everything to do about it. `registered` is a registration
 * that just happened: it is shown at once, before the Keychain read confirms it, instead of the cached old key.
 */
export function KeyStatusView(props: { registered?: Registration }) {
  const status = useKeyStatus();
  const memory = useKeyMemory();
  const fresh = props.registered && status.isLoading ? props.registered : undefined;
  const data = fresh ? { status: fresh.summary, sentence: fresh.sentence } : status.data;
  const summary = data?.status.configured ? data.status : undefined;
  const unreadable = isUnreadableEntry(status.error);
  const state: EntryState = status.error
    ? unreadable
      ? "unreadable"
      : "failed"
    : status.isLoading && !data
      ? "reading"
      : "read";
  const error = status.error ? describeError(status.error) : undefined;
  const keyToRevoke = memory.data?.keyToRevoke;
  const check = memory.data?.latest;
  const rotateAfter = rotationDays();
  const sentence = data?.sentence ?? (state === "reading" ? "Reading the Keychain…" : NOT_CONFIGURED_SENTENCE);
  const shown = state === "unreadable" ? undefined : summary;

  const refresh = () => {
    void status.revalidate();
    void memory.revalidate();
  };

  const age = shown ? ageInDays(shown.savedAt) : 0;
  const metadata = shown ? (
    <Detail.Metadata>
      <Detail.Metadata.Label title="Key Type" text={shown.kind === "team" ? "Team" : "Individual"} />
      {shown.issuerIdSuffix ? <Detail.Metadata.Label title="Issuer ID" text={`...${shown.issuerIdSuffix}`} /> : null}
      <Detail.Metadata.Label title="Key ID" text={shown.keyId} />
      <Detail.Metadata.Label title="Fingerprint" text={shown.fingerprint} />
      <Detail.Metadata.Label title="Saved" text={formatDate(shown.savedAt)} />
      <Detail.Metadata.Label
        title="Age"
        text={formatDays(age)}
        icon={
          rotateAfter !== undefined && age >= rotateAfter ? { source: Icon.Clock, tintColor: Color.Orange } : undefined
        }
      />
      <Detail.Metadata.Separator />
      {check && check.keyId === shown.keyId ? (
        <>
          <Detail.Metadata.TagList title="Last Check">
            <Detail.Metadata.TagList.Item
              text={OUTCOME[check.outcome].label}
              color={Color[OUTCOME[check.outcome].color]}
            />
          </Detail.Metadata.TagList>
          <Detail.Metadata.Label title="Checked" text={formatAge(check.checkedAt)} />
          {check.rateLimitRemaining !== undefined ? (
            <Detail.Metadata.Label
              title="Requests Left This Hour"
              text={`${check.rateLimitRemaining}${check.rateLimitLimit ? ` of ${check.rateLimitLimit}` : ""}`}
            />
          ) : null}
        </>
      ) : (
        <Detail.Metadata.Label title="Last Check" text="Never" />
      )}
      {keyToRevoke ? (
        <Detail.Metadata.Label
          title="Previous Key to Revoke"
          text={keyToRevoke.keyId}
          icon={{ source: Icon.ExclamationMark, tintColor: Color.Orange }}
        />
      ) : null}
    </Detail.Metadata>
  ) : undefined;

  return (
    <Detail
      navigationTitle="API Key Status"
      isLoading={status.isLoading || memory.isLoading}
      markdown={statusMarkdown({ state, sentence, summary: shown, error, keyToRevoke, check, rotateAfter })}
      metadata={metadata}
      actions={
        <KeyActions
          state={state}
          summary={shown}
          keyToRevoke={shown ? keyToRevoke?.keyId : undefined}
          onChanged={refresh}
          onRegistered={(registration) => {
            // Show the new key at once; the Keychain read then confirms it.
            void status.mutate(undefined, {
              optimisticUpdate: () => ({ status: registration.summary, sentence: registration.sentence }),
            });
            void memory.revalidate();
          }}
          onDismissRevoke={async () => {
            await dismissKeyToRevoke();
            void memory.revalidate();
          }}
        />
      }
    />
  );
}
