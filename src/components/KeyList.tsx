import { Action, ActionPanel, Color, Icon, Keyboard, List } from "@raycast/api";
import { useKeyList } from "../hooks/useKeyList";
import { useRememberedChecks } from "../hooks/useRememberedChecks";
import { ageInDays, KEY_ROLE, OUTCOME, TEAM_KEYS_URL, type RememberedCheck } from "../lib/apple";
import { describeError } from "../lib/errors";
import { maskedSuffix } from "../lib/ids";
import type { ListedKey, ListedOkKey } from "../lib/keys";
import { RegisterForm } from "./RegisterForm";
import { SavedKeyActions } from "./SavedKeyActions";

/**
 * API Keys: every saved key, the one LingCode uses marked, each a keystroke from being used, checked, renamed,
 * rotated or removed. Paints from Raycast's cache before any Keychain read.
 */
export function KeyList() {
  const list = useKeyList();
  const remembered = useRememberedChecks();
  const keys = list.data?.keys ?? [];
  const refresh = () => {
    void list.revalidate();
    void remembered.revalidate();
  };
  const register = (
    <Action.Push
      title="Register API Key"
      icon={Icon.Key}
      shortcut={Keyboard.Shortcut.Common.New}
      target={<RegisterForm onRegistered={() => refresh()} />}
    />
  );
  return (
    <List
      navigationTitle="API Keys"
      isLoading={list.isLoading || remembered.isLoading}
      searchBarPlaceholder="Filter keys by name or Key ID"
    >
      {list.error && !list.data ? (
        <List.EmptyView
          icon={{ source: Icon.ExclamationMark, tintColor: Color.Red }}
          title="The Keychain Could Not Be Read"
          description={describeError(list.error)}
          actions={
            <ActionPanel>
              <Action title="Retry" icon={Icon.ArrowClockwise} onAction={refresh} />
            </ActionPanel>
          }
        />
      ) : (
        <List.EmptyView
          icon={Icon.Key}
          title="No API Keys Yet"
          description="Register the App Store Connect API key LingCode should use: an App Manager key is the smallest that uploads builds and manages TestFlight."
          actions={
            <ActionPanel>
              {register}
              <Action.OpenInBrowser title="Open Team Keys" url={TEAM_KEYS_URL} />
            </ActionPanel>
          }
        />
      )}
      {keys.map((key) => (
        <List.Item
          key={key.keyId}
          title={key.name}
          subtitle={key.keyId}
          icon={key.state === "damaged" ? { source: Icon.Warning, tintColor: Color.Orange } : Icon.Key}
          keywords={[key.keyId]}
          accessories={accessoriesOf(key, remembered.data?.latest)}
          actions={
            <SavedKeyActions
              keyItem={key}
              lastSeen={remembered.data?.latest}
              onChanged={refresh}
              onChecked={() => void remembered.revalidate()}
              register={register}
            />
          }
        />
      ))}
    </List>
  );
}

function accessoriesOf(key: ListedKey, latest: RememberedCheck | undefined): List.Item.Accessory[] {
  if (key.state === "damaged") return [{ tag: { value: "Damaged", color: Color.Orange }, tooltip: key.reason }];
  const out: List.Item.Accessory[] = [];
  if (key.active) out.push({ tag: { value: "Used by LingCode", color: Color.Green } });
  if (key.role) {
    const color = KEY_ROLE[key.role].advice ? Color.Orange : Color.SecondaryText;
    out.push({ tag: { value: KEY_ROLE[key.role].label, color }, tooltip: "Recorded from Team Keys" });
  }
  out.push({ text: kindWords(key) });
  const check = key.active && latest?.keyId === key.keyId ? latest : undefined;
  if (check) {
    const facts = OUTCOME[check.outcome];
    out.push({ tag: { value: facts.label, color: Color[facts.color] }, tooltip: check.message });
  }
  const days = ageInDays(key.savedAt);
  out.push({ text: days === 0 ? "today" : `${days}d`, tooltip: `Saved ${new Date(key.savedAt).toLocaleDateString()}` });
  return out;
}

function kindWords(key: ListedOkKey): string {
  return key.kind === "team" && key.issuerIdSuffix ? `Team ${maskedSuffix(key.issuerIdSuffix)}` : "Individual";
}
