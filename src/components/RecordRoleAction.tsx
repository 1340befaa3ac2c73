import { Action, ActionPanel, Icon, showToast, Toast } from "@raycast/api";
import { keyStore } from "../helpers/core";
import { describeError } from "../lib/errors";
import { KEY_ROLE, KEY_ROLES, type KeyRole } from "../lib/key-role";
import { recordingWords, recordKeyRole } from "../lib/key-roles-store";

/** How to switch keys, in API Key Status's words (the advice for an Admin key). */
const SWITCH_HINT = "Rotate Key… in API Key Status makes the switch a two-minute change";

/**
 * Record Role from Team Keys…: what the key's Access column on Team Keys shows (App Manager or Admin), kept with the
 * key's line among the saved keys; "None" forgets it. Team keys only. Nothing secret is read or written.
 */
export function RecordRoleAction(props: { keyId: string; onRecorded?: () => void }) {
  const record = async (role: KeyRole | undefined) => {
    const toast = await showToast({ style: Toast.Style.Animated, title: "Recording the Role…" });
    try {
      const recording = await recordKeyRole(keyStore(), props.keyId, role);
      toast.style = Toast.Style.Success;
      toast.title = recordingWords(recording);
      toast.message = role ? KEY_ROLE[role].advice?.(recording.keyId, SWITCH_HINT) : undefined;
      props.onRecorded?.();
    } catch (error) {
      toast.style = Toast.Style.Failure;
      toast.title = "Role Not Recorded";
      toast.message = describeError(error);
    }
  };
  return (
    <ActionPanel.Submenu title="Record Role from Team Keys…" icon={Icon.Person}>
      {KEY_ROLES.map((role) => (
        <Action key={role} title={KEY_ROLE[role].label} onAction={() => record(role)} />
      ))}
      <Action title="None (Forget It)" onAction={() => record(undefined)} />
    </ActionPanel.Submenu>
  );
}
