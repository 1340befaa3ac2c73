import { Color, Detail, Icon } from "@raycast/api";
import type { ReactNode } from "react";
import type { KeyToRevoke } from "../helpers/local-storage";
import { ageInDays, formatAge, type RememberedCheck, OUTCOME } from "../lib/apple";
import { maskedSuffix } from "../lib/ids";
import type { KeySummary } from "../lib/status";
import { STATE_TAG } from "./RetiredKeys";

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function formatDays(days: number): string {
  if (days === 0) return "Less than a day";
  return days === 1 ? "1 day" : `${days} days`;
}

/** The saved key's masked facts beside the status: type, IDs, fingerprint, age, the last check with Apple. */
export function KeyMetadata(props: {
  summary: KeySummary;
  check?: RememberedCheck;
  keyToRevoke?: KeyToRevoke;
  rotateAfter?: number;
  /** More rows at the end (API Key Status: the previous keys' states). */
  children?: ReactNode;
}) {
  const { summary, keyToRevoke, rotateAfter } = props;
  const check = props.check?.keyId === summary.keyId ? props.check : undefined;
  const age = ageInDays(summary.savedAt);
  const due = rotateAfter !== undefined && age >= rotateAfter;
  return (
    <Detail.Metadata>
      <Detail.Metadata.Label title="Key Type" text={summary.kind === "team" ? "Team" : "Individual"} />
      {summary.issuerIdSuffix ? (
        <Detail.Metadata.Label title="Issuer ID" text={maskedSuffix(summary.issuerIdSuffix)} />
      ) : null}
      <Detail.Metadata.Label title="Key ID" text={summary.keyId} />
      <Detail.Metadata.Label title="Fingerprint" text={summary.fingerprint} />
      <Detail.Metadata.Label title="Saved" text={formatDate(summary.savedAt)} />
      <Detail.Metadata.Label
        title="Age"
        text={formatDays(age)}
        icon={due ? { source: Icon.Clock, tintColor: Color.Orange } : undefined}
      />
      <Detail.Metadata.Separator />
      {check ? <CheckRows check={check} /> : <Detail.Metadata.Label title="Last Check" text="Never" />}
      {keyToRevoke ? (
        // Titled as the retired key's own row (RetiredKeyRows), which takes its place once the retired keys are read.
        <Detail.Metadata.TagList title={`Previous Key ${keyToRevoke.keyId}`}>
          <Detail.Metadata.TagList.Item text={STATE_TAG.pending.text} color={STATE_TAG.pending.color} />
        </Detail.Metadata.TagList>
      ) : null}
      {props.children}
    </Detail.Metadata>
  );
}

function CheckRows({ check }: { check: RememberedCheck }) {
  const facts = OUTCOME[check.outcome];
  return (
    <>
      <Detail.Metadata.TagList title="Last Check">
        <Detail.Metadata.TagList.Item text={facts.label} color={Color[facts.color]} />
      </Detail.Metadata.TagList>
      <Detail.Metadata.Label title="Checked" text={formatAge(check.checkedAt)} />
      {check.rateLimitRemaining !== undefined ? (
        <Detail.Metadata.Label
          title="Requests Left This Hour"
          text={`${check.rateLimitRemaining}${check.rateLimitLimit ? ` of ${check.rateLimitLimit}` : ""}`}
        />
      ) : null}
    </>
  );
}
