import { Action, ActionPanel, Icon, Keyboard, open, useNavigation } from "@raycast/api";
import { copyToken, removeWithConfirmation, verifyWithToast } from "../helpers/key-actions";
import { TEAM_KEYS_URL } from "../lib/asc-client";
import type { KeySummary } from "../lib/status";
import { RegisterForm } from "./RegisterForm";

interface KeyActionsProps {
  summary?: KeySummary;
  /** A Keychain failure: Retry comes first. */
  failed?: boolean;
  /** The first Keychain read is still running and nothing was cached: nothing to act on yet. */
  reading?: boolean;
  keyToRevoke?: string;
  onChanged: () => void;
  onDismissRevoke: () => void;
}

/** The actions around the saved key, the same wherever the key is shown. */
export function KeyActions({ summary, failed, reading, keyToRevoke, onChanged, onDismissRevoke }: KeyActionsProps) {
  const { push, pop } = useNavigation();
  const registerForm = (
    <RegisterForm
      onRegistered={() => {
        pop();
        onChanged();
      }}
    />
  );
  const refresh = (
    <Action
      title={failed ? "Retry" : "Refresh"}
      icon={Icon.ArrowClockwise}
      shortcut={Keyboard.Shortcut.Common.Refresh}
      onAction={onChanged}
    />
  );
  const openTeamKeys = (
    <Action.OpenInBrowser title="Open Team Keys" url={TEAM_KEYS_URL} shortcut={Keyboard.Shortcut.Common.Open} />
  );

  if ((failed || reading) && !summary) {
    return (
      <ActionPanel>
        {refresh}
        {openTeamKeys}
      </ActionPanel>
    );
  }

  if (!summary) {
    return (
      <ActionPanel>
        <Action.Push
          title="Register API Key"
          icon={Icon.Key}
          target={registerForm}
          shortcut={Keyboard.Shortcut.Common.New}
        />
        {openTeamKeys}
        {refresh}
      </ActionPanel>
    );
  }

  return (
    <ActionPanel>
      <ActionPanel.Section>
        {failed ? refresh : null}
        <Action
          title="Verify with Apple"
          icon={Icon.CheckCircle}
          onAction={async () => {
            await verifyWithToast(summary.keyId);
            onChanged();
          }}
        />
        <Action
          title="Copy Token"
          icon={Icon.Key}
          shortcut={{ modifiers: ["cmd", "shift"], key: "t" }}
          onAction={() => copyToken(summary.keyId)}
        />
        <Action.CopyToClipboard title="Copy Key ID" content={summary.keyId} shortcut={Keyboard.Shortcut.Common.Copy} />
        <Action.CopyToClipboard title="Copy Fingerprint" content={summary.fingerprint} />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action
          title="Rotate Key…"
          icon={Icon.Repeat}
          shortcut={{ modifiers: ["cmd", "shift"], key: "r" }}
          onAction={async () => {
            // Create the new key on Team Keys first, then register it here.
            await open(TEAM_KEYS_URL);
            push(registerForm);
          }}
        />
        <Action.Push
          title="Replace Key…"
          icon={Icon.Pencil}
          target={registerForm}
          shortcut={Keyboard.Shortcut.Common.Edit}
        />
        {openTeamKeys}
        {keyToRevoke ? (
          <Action
            title={`Dismiss Reminder to Revoke ${keyToRevoke}`}
            icon={Icon.XMarkCircle}
            onAction={onDismissRevoke}
          />
        ) : null}
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action
          title="Remove Key…"
          icon={Icon.Trash}
          style={Action.Style.Destructive}
          shortcut={Keyboard.Shortcut.Common.Remove}
          onAction={async () => {
            if (await removeWithConfirmation(summary.keyId)) onChanged();
          }}
        />
        {failed ? null : refresh}
      </ActionPanel.Section>
    </ActionPanel>
  );
}
