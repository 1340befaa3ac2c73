import { Action, ActionPanel, Form, Icon, Keyboard, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { removeWithConfirmation, type NextKeyChoice } from "../helpers/saved-key-actions";
import { namedKey } from "../lib/status";

/**
 * Remove Key…, the same action wherever a key is shown (the same title, icon, style and shortcut, and the same flow,
 * removeWithConfirmation): `keyId` names a saved key; left out, the key LingCode uses (or its unreadable entry). With
 * other keys saved, removing the key LingCode uses first asks which one LingCode uses next (RemoveKeyForm).
 */
export function RemoveKeyAction(props: { keyId?: string; onRemoved: () => void }) {
  const { push, pop } = useNavigation();
  return (
    <Action
      title="Remove Key…"
      icon={Icon.Trash}
      style={Action.Style.Destructive}
      shortcut={Keyboard.Shortcut.Common.Remove}
      onAction={async () => {
        const result = await removeWithConfirmation(props.keyId);
        if ("choose" in result) push(<RemoveKeyForm {...result.choose} onDone={() => (pop(), props.onRemoved())} />);
        else if (result.removed) props.onRemoved();
      }}
    />
  );
}

const NONE = "none";

/** Removing the key LingCode uses: which key should LingCode use next (another saved key, or none)? */
export function RemoveKeyForm(props: NextKeyChoice & { onDone: () => void }) {
  const { keyItem, others, onDone } = props;
  const { handleSubmit, itemProps } = useForm<{ next: string }>({
    initialValues: { next: others[0]?.keyId ?? NONE },
    async onSubmit({ next }) {
      const result = await removeWithConfirmation(keyItem.keyId, {
        next: next === NONE ? null : next,
        plan: props.plan,
      });
      if ("removed" in result && result.removed) onDone();
    },
  });
  return (
    <Form
      navigationTitle={`Remove "${keyItem.name}"`}
      actions={
        <ActionPanel>
          <Action.SubmitForm
            title="Remove Key"
            icon={Icon.Trash}
            style={Action.Style.Destructive}
            onSubmit={handleSubmit}
          />
        </ActionPanel>
      }
    >
      <Form.Description text={`LingCode uses ${namedKey(keyItem)}. Which key should it use instead?`} />
      <Form.Dropdown {...itemProps.next} title="LingCode Uses Next">
        {others.map((key) => (
          <Form.Dropdown.Item key={key.keyId} value={key.keyId} title={`${key.name} (${key.keyId})`} />
        ))}
        <Form.Dropdown.Item value={NONE} title="No Key" />
      </Form.Dropdown>
    </Form>
  );
}
