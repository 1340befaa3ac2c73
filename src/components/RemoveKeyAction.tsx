import { Action, Icon, Keyboard } from "@raycast/api";

/** Remove Key…, the same title, icon, style and shortcut wherever a key is shown; what it asks is the caller's. */
export function RemoveKeyAction(props: { onRemove: () => Promise<void> }) {
  return (
    <Action
      title="Remove Key…"
      icon={Icon.Trash}
      style={Action.Style.Destructive}
      shortcut={Keyboard.Shortcut.Common.Remove}
      onAction={props.onRemove}
    />
  );
}
