import { Action, Icon, open, useNavigation } from "@raycast/api";
import type { ReactElement } from "react";
import { TEAM_KEYS_URL } from "../lib/apple";

/**
 * Rotate Key…, the same title, icon, shortcut and steps wherever a key is shown: Team Keys opens first, since the new
 * key is created there (and its file offered once), then the register form the caller gives for the key it replaces.
 */
export function RotateKeyAction(props: { form: ReactElement }) {
  const { push } = useNavigation();
  return (
    <Action
      title="Rotate Key…"
      icon={Icon.Repeat}
      shortcut={{ modifiers: ["cmd", "shift"], key: "r" }}
      onAction={async () => {
        await open(TEAM_KEYS_URL);
        push(props.form);
      }}
    />
  );
}
