import { Action, ActionPanel, Color, Detail, Icon } from "@raycast/api";
import { checkRetiredAgain, forgetRetired } from "../helpers/retired-actions";
import { TEAM_KEYS_URL } from "../lib/apple";
import type { RetiredKeyView } from "../lib/keys";

/**
 * The old keys a rotation took out of use, in API Key Status (docs/revocation.md): the "Previous Key to Revoke"
 * reminder as a live state, from Apple's answers. Each is one line: its sentence, and why the last check proved
 * nothing when it did.
 */
export function retiredMarkdown(keys: readonly RetiredKeyView[]): string {
  if (keys.length === 0) return "";
  const lines = keys.map((key) => {
    const sentence = key.state.state === "still-works" ? `**${key.sentence}**` : key.sentence;
    return `- ${sentence}${key.note ? `\n  _${key.note}_` : ""}`;
  });
  return ["## Previous Keys", ...lines].join("\n\n");
}

export const STATE_TAG: Readonly<Record<RetiredKeyView["state"]["state"], { text: string; color: Color }>> = {
  "still-works": { text: "Still Works at Apple", color: Color.Orange },
  pending: { text: "Not Proven Revoked", color: Color.Yellow },
  revoked: { text: "Revoked", color: Color.Green },
};

export function RetiredKeyRows({ keys }: { keys: readonly RetiredKeyView[] }) {
  return (
    <>
      {keys.map((key) => (
        <Detail.Metadata.TagList key={key.keyId} title={`Previous Key ${key.keyId}`}>
          <Detail.Metadata.TagList.Item
            text={STATE_TAG[key.state.state].text}
            color={STATE_TAG[key.state.state].color}
          />
        </Detail.Metadata.TagList>
      ))}
    </>
  );
}

/** Per retired key: Open Team Keys (where it is revoked), Check Again, Forget Without Proof…; Dismiss once revoked. */
export function RetiredKeyActions(props: { keys: readonly RetiredKeyView[]; onChanged: () => void }) {
  const { keys, onChanged } = props;
  if (keys.length === 0) return null;
  return (
    <>
      {keys.map((key) => (
        <ActionPanel.Section key={key.keyId} title={`Previous Key ${key.keyId}`}>
          {key.state.state === "revoked" ? (
            <Action
              title={`Dismiss Key ${key.keyId}`}
              icon={Icon.XMarkCircle}
              onAction={async () => {
                if (await forgetRetired(key)) onChanged();
              }}
            />
          ) : (
            <>
              <Action.OpenInBrowser title={`Open Team Keys to Revoke ${key.keyId}`} url={TEAM_KEYS_URL} />
              <Action
                title={`Check Key ${key.keyId} Again`}
                icon={Icon.ArrowClockwise}
                onAction={async () => {
                  if (await checkRetiredAgain(key.keyId)) onChanged();
                }}
              />
              <Action
                title={`Forget Key ${key.keyId} Without Proof…`}
                icon={Icon.Trash}
                style={Action.Style.Destructive}
                onAction={async () => {
                  if (await forgetRetired(key)) onChanged();
                }}
              />
            </>
          )}
        </ActionPanel.Section>
      ))}
    </>
  );
}
