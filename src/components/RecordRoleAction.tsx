import { Action, ActionPanel, Icon } from "@raycast/api";
import { useState } from "react";
import { recordedRoleOf, recordRole } from "../helpers/saved-key-actions";
import { KEY_ROLE, KEY_ROLES, type KeyRole, TEAM_KEYS_URL } from "../lib/apple";

type Recorded = KeyRole | undefined | "unknown";

interface Props {
  keyId: string;
  /**
   * The role recorded for the key, when the view has it (API Keys lists it); "unknown": read from the saved keys'
   * list (no secret) when the submenu opens, so that showing the view reads nothing more.
   */
  recorded: Recorded;
  onRecorded: () => void;
}

/**
 * Record Role from Team Keys (team keys only): Apple's API cannot tell an App Manager key from an Admin key, the key's
 * Access column on Team Keys can, so the user records what it shows. Then an App Manager key is shown with no warning
 * anywhere, and an Admin key gets the advice to rotate to an App Manager key. The submenu opens Team Keys first; the
 * role recorded now is ticked, with Forget Recorded Role.
 */
export function RecordRoleAction({ keyId, recorded, onRecorded }: Props) {
  const [read, setRead] = useState<{ keyId: string; role: Recorded }>();
  const current = recorded !== "unknown" ? recorded : read?.keyId === keyId ? read.role : "unknown";
  const record = async (role: KeyRole | undefined) => {
    if (!(await recordRole(keyId, role))) return;
    setRead({ keyId, role });
    onRecorded();
  };
  return (
    <ActionPanel.Submenu
      title="Record Role from Team Keys"
      icon={Icon.Person}
      onOpen={
        recorded === "unknown" ? () => void recordedRoleOf(keyId).then((role) => setRead({ keyId, role })) : undefined
      }
    >
      <Action.OpenInBrowser title="Open Team Keys (Access Column)" url={TEAM_KEYS_URL} />
      {KEY_ROLES.map((role) => (
        <Action
          key={role}
          title={KEY_ROLE[role].label}
          icon={current === role ? Icon.CheckCircle : Icon.Circle}
          onAction={() => record(role)}
        />
      ))}
      {current === undefined ? null : (
        <Action title="Forget Recorded Role" icon={Icon.XMarkCircle} onAction={() => record(undefined)} />
      )}
    </ActionPanel.Submenu>
  );
}
