import { Action, ActionPanel, Icon } from "@raycast/api";
import { recordRole } from "../helpers/saved-key-actions";
import { KEY_ROLE, KEY_ROLES, type KeyRole } from "../lib/key-role";
import { TEAM_KEYS_URL } from "../lib/outcomes";

interface Props {
  keyId: string;
  /** The role recorded for the key, when the view knows it: marked, with Forget Recorded Role; "unknown": not read. */
  recorded: KeyRole | undefined | "unknown";
  onRecorded: () => void;
}

/**
 * Record Role from Team Keys (team keys only): Apple's API cannot tell an App Manager key from an Admin key, the key's
 * Access column on Team Keys can, so the user records what it shows. Then an App Manager key is shown with no warning
 * anywhere, and an Admin key gets the advice to rotate to an App Manager key. The submenu opens Team Keys first.
 */
export function RecordRoleAction({ keyId, recorded, onRecorded }: Props) {
  const record = async (role: KeyRole | undefined) => {
    if (await recordRole(keyId, role)) onRecorded();
  };
  return (
    <ActionPanel.Submenu title="Record Role from Team Keys" icon={Icon.Person}>
      <Action.OpenInBrowser title="Open Team Keys (Access Column)" url={TEAM_KEYS_URL} />
      {KEY_ROLES.map((role) => (
        <Action
          key={role}
          title={KEY_ROLE[role].label}
          icon={recorded === role ? Icon.CheckCircle : Icon.Circle}
          onAction={() => record(role)}
        />
      ))}
      {recorded === undefined ? null : (
        <Action title="Forget Recorded Role" icon={Icon.XMarkCircle} onAction={() => record(undefined)} />
      )}
    </ActionPanel.Submenu>
  );
}
