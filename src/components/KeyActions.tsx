import { Action, ActionPanel, Icon, Keyboard, useNavigation } from "@raycast/api";
import type { ReactNode } from "react";
import { checkCapabilitiesWithToast, copyToken, trashLeftovers, verifyWithToast } from "../helpers/key-actions";
import { TEAM_KEYS_URL } from "../lib/apple";
import type { LastSeenQuota, Registration } from "../lib/keys";
import type { KeySummary } from "../lib/status";
import { AddToCiSecretsAction } from "./CiSecretsForm";
import { KeyList } from "./KeyList";
import { RecordRoleAction } from "./RecordRoleAction";
import { RegisterForm } from "./RegisterForm";
import { RemoveKeyAction } from "./RemoveKeyAction";
import { RotateKeyAction } from "./RotateKeyAction";

/**
 * What the view knows about the Keychain entry: still reading it, couldn't read it (locked, denied, tool missing),
 * read an entry it can't use (corrupt, unknown version), or read it (a key, or none).
 */
export type EntryReading = "reading" | "failed" | "unreadable" | "read";

interface KeyActionsProps {
  state: EntryReading;
  summary?: KeySummary;
  keyToRevoke?: string;
  onChanged: () => void;
  /** A check read the saved key to sign its request: this is what the Keychain holds now. */
  onVerified: (summary: KeySummary) => void;
  onRegistered: (registration: Registration) => void;
  onDismissRevoke: () => void;
  /** The quota the last check saw, so a capability check is not sent when few requests are left. */
  lastSeen?: LastSeenQuota;
  /** Copies of the key's .p8 still on disk, offered to the Trash. */
  leftovers?: string[];
  /** After Move Leftover Key Files to Trash (default: onChanged). */
  onLeftoversMoved?: () => void;
  /** After Remove Key… removed the key shown (default: onChanged). */
  onRemoved?: () => void;
  /** After Record Role from Team Keys (default: onChanged): what is remembered of the last capability check changed. */
  onRoleRecorded?: () => void;
  /** More sections, after the key's own (API Key Status: the previous keys). */
  children?: ReactNode;
}

/** The actions around the saved key, the same wherever the key is shown. */
export function KeyActions(props: KeyActionsProps) {
  const { state, summary, keyToRevoke, onChanged, onVerified, onRegistered, onDismissRevoke, lastSeen } = props;
  const leftovers = props.leftovers ?? [];
  const onLeftoversMoved = props.onLeftoversMoved ?? onChanged;
  const onRemoved = props.onRemoved ?? onChanged;
  const { pop } = useNavigation();
  const registerForm = (rotate?: { keyId: string }) => (
    <RegisterForm
      rotate={rotate}
      onRegistered={(registration) => {
        pop();
        onRegistered(registration);
      }}
    />
  );
  const refresh = (
    <Action
      title={state === "failed" ? "Retry" : "Refresh"}
      icon={Icon.ArrowClockwise}
      shortcut={Keyboard.Shortcut.Common.Refresh}
      onAction={onChanged}
    />
  );
  const openTeamKeys = (
    <Action.OpenInBrowser title="Open Team Keys" url={TEAM_KEYS_URL} shortcut={Keyboard.Shortcut.Common.Open} />
  );
  const register = (title: string) => (
    <Action.Push title={title} icon={Icon.Key} target={registerForm()} shortcut={Keyboard.Shortcut.Common.New} />
  );
  // The key LingCode uses (or its unreadable entry), as in API Keys: with other keys saved, which one next is asked.
  const remove = <RemoveKeyAction onRemoved={onRemoved} />;

  if (!summary && (state === "reading" || state === "failed")) {
    return (
      <ActionPanel>
        {refresh}
        {openTeamKeys}
      </ActionPanel>
    );
  }

  if (!summary) {
    // No key, or an entry that can't be used: registering a key replaces it either way.
    return (
      <ActionPanel>
        {register(state === "unreadable" ? "Register API Key to Replace It" : "Register API Key")}
        {state === "unreadable" ? remove : null}
        {openTeamKeys}
        {refresh}
      </ActionPanel>
    );
  }

  return (
    <ActionPanel>
      <ActionPanel.Section>
        {state === "failed" ? refresh : null}
        <KeyUseActions
          summary={summary}
          lastSeen={lastSeen}
          leftovers={leftovers}
          onVerified={onVerified}
          onChanged={onChanged}
          onLeftoversMoved={onLeftoversMoved}
          onRoleRecorded={props.onRoleRecorded ?? onChanged}
        />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <RotateKeyAction form={registerForm({ keyId: summary.keyId })} />
        <Action.Push
          title="Replace Key…"
          icon={Icon.Pencil}
          target={registerForm({ keyId: summary.keyId })}
          shortcut={Keyboard.Shortcut.Common.Edit}
        />
        <Action.Push title="Show All API Keys" icon={Icon.List} target={<KeyList />} />
        {openTeamKeys}
        {keyToRevoke ? (
          <Action
            title={`Dismiss Reminder to Revoke ${keyToRevoke}`}
            icon={Icon.XMarkCircle}
            onAction={onDismissRevoke}
          />
        ) : null}
      </ActionPanel.Section>
      {props.children}
      <ActionPanel.Section>
        {remove}
        {state === "failed" ? null : refresh}
      </ActionPanel.Section>
    </ActionPanel>
  );
}

/** What is done with the key shown: check it with Apple, see what it can do, copy a token or its IDs. */
function KeyUseActions(props: {
  summary: KeySummary;
  lastSeen?: LastSeenQuota;
  leftovers: string[];
  onVerified: (summary: KeySummary) => void;
  onChanged: () => void;
  onLeftoversMoved: () => void;
  onRoleRecorded: () => void;
}) {
  const { summary, lastSeen, leftovers, onVerified, onChanged, onLeftoversMoved, onRoleRecorded } = props;
  return (
    <>
      <Action
        title="Verify with Apple"
        icon={Icon.CheckCircle}
        onAction={async () => {
          const verification = await verifyWithToast(summary.keyId);
          // Shown from the check's own read: no second Keychain read (and no second unlock dialog) to redraw it.
          if (verification) onVerified(verification.summary);
          else onChanged();
        }}
      />
      <Action
        title="Check What the Key Can Do"
        icon={Icon.MagnifyingGlass}
        shortcut={{ modifiers: ["cmd", "shift"], key: "d" }}
        onAction={async () => {
          // The check read the key: shown as read, without reading the Keychain again.
          const read = await checkCapabilitiesWithToast(summary.keyId, lastSeen);
          if (read) onVerified(read);
        }}
      />
      {summary.kind === "team" ? (
        // The Keychain entry does not change: only what is remembered of the last capability check is read again.
        <RecordRoleAction keyId={summary.keyId} recorded="unknown" onRecorded={onRoleRecorded} />
      ) : null}
      <Action
        title="Copy Token"
        icon={Icon.Clipboard}
        shortcut={{ modifiers: ["cmd", "shift"], key: "t" }}
        onAction={() => copyToken()}
      />
      <Action.CopyToClipboard title="Copy Key ID" content={summary.keyId} shortcut={Keyboard.Shortcut.Common.Copy} />
      <Action.CopyToClipboard title="Copy Fingerprint" content={summary.fingerprint} />
      <AddToCiSecretsAction keyId={summary.keyId} kind={summary.kind} />
      {leftovers.length > 0 ? (
        <Action
          title="Move Leftover Key Files to Trash"
          icon={Icon.Trash}
          onAction={async () => {
            await trashLeftovers(leftovers);
            onLeftoversMoved();
          }}
        />
      ) : null}
    </>
  );
}
