import { Action, ActionPanel, Form, Icon, Keyboard, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import type { ReactElement } from "react";
import { checkCapabilitiesWithToast, copyToken, verifyWithToast } from "../helpers/key-actions";
import { renameKey, useForLingCode } from "../helpers/saved-key-actions";
import type { RememberedCheck } from "../lib/apple";
import { parseKeyName } from "../lib/names";
import type { ListedKey, ListedOkKey } from "../lib/keys";
import { AddToCiSecretsAction } from "./CiSecretsForm";
import { fieldReason, RegisterForm } from "./RegisterForm";
import { RecordRoleAction } from "./RecordRoleAction";
import { RemoveKeyAction } from "./RemoveKeyAction";
import { RotateKeyAction } from "./RotateKeyAction";

interface Props {
  keyItem: ListedKey;
  lastSeen?: RememberedCheck;
  /** The saved keys changed: list them again. */
  onChanged: () => void;
  /** A check with Apple was remembered (the Keychain did not change): only what is remembered is read again. */
  onChecked: () => void;
  register: ReactElement;
}

/** The actions on one saved key in API Keys. A damaged key can only be removed (and registered again). */
export function SavedKeyActions({ keyItem, lastSeen, onChanged, onChecked, register }: Props) {
  const { pop } = useNavigation();
  const remove = <RemoveKeyAction keyId={keyItem.keyId} onRemoved={onChanged} />;
  if (keyItem.state === "damaged") {
    return (
      <ActionPanel>
        {remove}
        {register}
      </ActionPanel>
    );
  }
  // A key LingCode does not use is checked without touching what is remembered about LingCode's key.
  const other = keyItem.active ? {} : { saved: keyItem.keyId };
  return (
    <ActionPanel>
      <ActionPanel.Section>
        {keyItem.active ? null : (
          <Action
            title="Use for LingCode"
            icon={Icon.CheckCircle}
            onAction={async () => {
              if (await useForLingCode(keyItem)) onChanged();
            }}
          />
        )}
        <Action
          title="Verify with Apple"
          icon={Icon.Checkmark}
          onAction={async () => {
            await verifyWithToast(keyItem.keyId, other);
            onChecked();
          }}
        />
        <Action
          title="Check What the Key Can Do"
          icon={Icon.MagnifyingGlass}
          shortcut={{ modifiers: ["cmd", "shift"], key: "d" }}
          onAction={() => checkCapabilitiesWithToast(keyItem.keyId, keyItem.active ? lastSeen : undefined, other)}
        />
        {keyItem.kind === "team" ? (
          <RecordRoleAction keyId={keyItem.keyId} recorded={keyItem.role} onRecorded={onChanged} />
        ) : null}
        <Action
          title="Copy Token"
          icon={Icon.Clipboard}
          shortcut={{ modifiers: ["cmd", "shift"], key: "t" }}
          onAction={() => copyToken(other)}
        />
        <Action.CopyToClipboard title="Copy Key ID" content={keyItem.keyId} shortcut={Keyboard.Shortcut.Common.Copy} />
        <AddToCiSecretsAction keyId={keyItem.keyId} kind={keyItem.kind} name={keyItem.name} />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action.Push
          title="Rename…"
          icon={Icon.Pencil}
          shortcut={Keyboard.Shortcut.Common.Edit}
          target={<RenameKeyForm keyItem={keyItem} onDone={() => (pop(), onChanged())} />}
        />
        {/* The new key takes this key's name and place. */}
        <RotateKeyAction form={<RegisterForm rotate={keyItem} onRegistered={() => (pop(), onChanged())} />} />
        {register}
        {remove}
      </ActionPanel.Section>
    </ActionPanel>
  );
}

function RenameKeyForm({ keyItem, onDone }: { keyItem: ListedOkKey; onDone: () => void }) {
  const { handleSubmit, itemProps } = useForm<{ name: string }>({
    initialValues: { name: keyItem.name },
    validation: {
      name: (value) => fieldReason(() => parseKeyName(value)),
    },
    async onSubmit({ name }) {
      if (await renameKey(keyItem, name)) onDone();
    },
  });
  return (
    <Form
      navigationTitle={`Rename "${keyItem.name}"`}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Rename Key" icon={Icon.Pencil} onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.TextField
        {...itemProps.name}
        title="Name"
        info="One line, at most 40 characters; no two keys share a name."
      />
    </Form>
  );
}
