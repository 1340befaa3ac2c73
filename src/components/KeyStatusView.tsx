import { Color, Detail, Icon } from "@raycast/api";
import { dismissKeyToRevoke } from "../helpers/memory";
import { rotationDays } from "../helpers/preferences";
import { useKeyMemory } from "../hooks/useKeyMemory";
import { useKeyStatus } from "../hooks/useKeyStatus";
import { ageInDays, formatAge, outcomeLabel, type RememberedCheck } from "../lib/check-summary";
import { describeError } from "../lib/errors";
import { NOT_CONFIGURED_SENTENCE, type KeySummary } from "../lib/status";
import { KeyActions } from "./KeyActions";

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function statusMarkdown(options: {
  sentence: string;
  summary?: KeySummary;
  error?: string;
  keyToRevoke?: string;
  check?: RememberedCheck;
  rotateAfter?: number;
  /** Nothing known yet: the first Keychain read is still running. */
  reading?: boolean;
}): string {
  const { summary, error, keyToRevoke, check, rotateAfter, reading } = options;
  const parts: string[] = [];
  if (error) {
    parts.push("# The Keychain Could Not Be Read", error);
    if (summary) parts.push(`Last known: ${options.sentence}`);
    return parts.join("\n\n");
  }
  parts.push(`# ${options.sentence}`);
  if (reading) return parts.join("\n\n");
  if (!summary) {
    parts.push(
      "Register the App Store Connect API key LingCode should use: the Issuer ID, the Key ID and the .p8 file Apple let you download once. An **App Manager** key is the smallest role that manages TestFlight.",
    );
    return parts.join("\n\n");
  }
  if (keyToRevoke) {
    parts.push(
      `> **Revoke key ${keyToRevoke} on Team Keys.** It was replaced by ${summary.keyId} and keeps working at Apple until you revoke it.`,
    );
  }
  if (check && check.keyId === summary.keyId) parts.push(`Last check, ${formatAge(check.checkedAt)}: ${check.message}`);
  else parts.push("Not checked with Apple yet: Verify with Apple sends one request.");
  const age = ageInDays(summary.savedAt);
  if (rotateAfter !== undefined && age >= rotateAfter) {
    parts.push(`This key is ${age} days old; consider rotating it (Rotate Key…).`);
  }
  return parts.join("\n\n");
}

/** API Key Status: "is my key set up?" at a glance, and everything to do about it. */
export function KeyStatusView() {
  const status = useKeyStatus();
  const memory = useKeyMemory();
  const summary = status.data?.status.configured ? status.data.status : undefined;
  const error = status.error ? describeError(status.error) : undefined;
  const keyToRevoke = memory.data?.keyToRevoke?.keyId;
  const check = memory.data?.latest;
  const rotateAfter = rotationDays();
  const reading = !status.data && status.isLoading;
  const sentence = status.data?.sentence ?? (reading ? "Reading the Keychain…" : NOT_CONFIGURED_SENTENCE);

  const refresh = () => {
    void status.revalidate();
    void memory.revalidate();
  };

  const metadata = summary ? (
    <Detail.Metadata>
      <Detail.Metadata.Label title="Key Type" text={summary.kind === "team" ? "Team" : "Individual"} />
      {summary.issuerIdSuffix ? (
        <Detail.Metadata.Label title="Issuer ID" text={`...${summary.issuerIdSuffix}`} />
      ) : null}
      <Detail.Metadata.Label title="Key ID" text={summary.keyId} />
      <Detail.Metadata.Label title="Fingerprint" text={summary.fingerprint} />
      <Detail.Metadata.Label title="Saved" text={`${formatDate(summary.savedAt)} (${formatAge(summary.savedAt)})`} />
      <Detail.Metadata.Label
        title="Age"
        text={`${ageInDays(summary.savedAt)} days`}
        icon={
          rotateAfter !== undefined && ageInDays(summary.savedAt) >= rotateAfter
            ? { source: Icon.Clock, tintColor: Color.Orange }
            : undefined
        }
      />
      <Detail.Metadata.Separator />
      {check && check.keyId === summary.keyId ? (
        <>
          <Detail.Metadata.TagList title="Last Check">
            <Detail.Metadata.TagList.Item
              text={outcomeLabel(check.outcome)}
              color={check.outcome === "rejected" ? Color.Red : check.outcome === "valid" ? Color.Green : Color.Orange}
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
          text={keyToRevoke}
          icon={{ source: Icon.ExclamationMark, tintColor: Color.Orange }}
        />
      ) : null}
    </Detail.Metadata>
  ) : undefined;

  return (
    <Detail
      navigationTitle="API Key Status"
      isLoading={status.isLoading || memory.isLoading}
      markdown={statusMarkdown({ sentence, summary, error, keyToRevoke, check, rotateAfter, reading })}
      metadata={metadata}
      actions={
        <KeyActions
          summary={summary}
          failed={Boolean(error)}
          reading={status.isLoading && !status.data}
          keyToRevoke={keyToRevoke}
          onChanged={refresh}
          onDismissRevoke={async () => {
            await dismissKeyToRevoke();
            void memory.revalidate();
          }}
        />
      }
    />
  );
}
