import { Action, ActionPanel, Color, Form, Icon, Keyboard, List, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { useState } from "react";
import { importCandidate, offerToTrash } from "../helpers/import-key";
import { useImportCandidates } from "../hooks/useImportCandidates";
import { describeError } from "../lib/errors";
import { EXAMPLE_ISSUER_ID, maskedSuffix, parseIssuerId } from "../lib/ids";
import { stateWords, type ImportCandidate, type KeyCandidate } from "../lib/import";
import { fieldReason } from "./RegisterForm";

const STATE_TAGS: Record<ImportCandidate["state"], { value: string; color: Color }> = {
  new: { value: "New", color: Color.Green },
  saved: { value: "Already Saved", color: Color.SecondaryText },
  "other-material": { value: "Replaces a Saved Key", color: Color.Orange },
  broken: { value: "Can't Import", color: Color.Red },
};

/**
 * Import Keys: what the environment, the private_keys folders and a picked fastlane JSON or eas.json hold, each key
 * with its state.
 */
export function ImportKeys() {
  const [files, setFiles] = useState<string[]>([]);
  const { data, isLoading, error, revalidate } = useImportCandidates(files);
  const forget = (file: string) => setFiles((current) => current.filter((one) => one !== file));

  const pick = (
    <Action.Push
      title="Choose Fastlane JSON or EAS JSON…"
      icon={Icon.Document}
      shortcut={Keyboard.Shortcut.Common.Open}
      target={<PickKeyJson onPick={(file) => setFiles((current) => [...new Set([...current, file])])} />}
    />
  );
  const imported = async (candidate: KeyCandidate) => {
    if (candidate.file && (await offerToTrash(candidate.file, candidate.afterImport))) forget(candidate.file);
    revalidate();
  };

  return (
    <List isLoading={isLoading} navigationTitle="Import Keys">
      {error ? (
        <List.EmptyView
          icon={Icon.ExclamationMark}
          title="Couldn't Read the Saved Keys"
          description={describeError(error)}
          actions={
            <ActionPanel>
              <Action title="Retry" icon={Icon.ArrowClockwise} onAction={revalidate} />
            </ActionPanel>
          }
        />
      ) : (
        <List.EmptyView
          icon={Icon.Key}
          title="No Keys Found"
          description="Nothing in the environment or the private_keys folders. Choose a fastlane API key JSON file or an Expo project's eas.json."
          actions={<ActionPanel>{pick}</ActionPanel>}
        />
      )}
      {!error &&
        data?.map((section) => (
          <List.Section key={section.file ?? section.title} title={section.title}>
            {section.candidates.map((candidate, index) => (
              <List.Item
                key={`${index}-${candidate.origins.join(",")}`}
                icon={candidate.state === "broken" ? Icon.XMarkCircle : Icon.Key}
                title={candidate.keyId ?? candidate.origins[0]}
                subtitle={candidate.state === "broken" ? candidate.reason : candidateSubtitle(candidate)}
                accessories={[{ tag: STATE_TAGS[candidate.state], tooltip: stateWords(candidate) }]}
                actions={
                  <ActionPanel>
                    {candidate.state !== "broken" && candidate.state !== "saved" && (
                      <CandidateActions candidate={candidate} onImported={() => imported(candidate)} />
                    )}
                    {pick}
                    <Action
                      title="Reload"
                      icon={Icon.ArrowClockwise}
                      shortcut={Keyboard.Shortcut.Common.Refresh}
                      onAction={revalidate}
                    />
                  </ActionPanel>
                }
              />
            ))}
          </List.Section>
        ))}
    </List>
  );
}

/** "Issuer ID ends in ...b6c · $ASC_KEY_PATH, $ASC_PRIVATE_KEY_PATH" */
function candidateSubtitle(candidate: KeyCandidate): string {
  const team =
    candidate.kind === "individual"
      ? "Individual key"
      : candidate.issuerIdSuffix
        ? `Issuer ID ends in ${maskedSuffix(candidate.issuerIdSuffix)}`
        : "Issuer ID needed";
  return `${team} · ${candidate.origins.join(", ")}`;
}

function CandidateActions(props: { candidate: KeyCandidate; onImported: () => void }) {
  const { candidate, onImported } = props;
  const title = candidate.state === "other-material" ? "Import and Replace Saved Key" : "Import Key";
  if (!candidate.prepared) {
    return (
      <Action.Push
        title="Import with Issuer ID…"
        icon={Icon.Download}
        target={<IssuerIdForm candidate={candidate} onImported={onImported} />}
      />
    );
  }
  return (
    <>
      <Action title={title} icon={Icon.Download} onAction={() => importCandidate(candidate, { onImported })} />
      <Action
        title="Import Without Using for LingCode"
        icon={Icon.Download}
        onAction={() => importCandidate(candidate, { use: false, onImported })}
      />
    </>
  );
}

/** A .p8 from a folder carries no Issuer ID: ask for it, then import as any other key. */
function IssuerIdForm(props: { candidate: KeyCandidate; onImported: () => void }) {
  const { pop } = useNavigation();
  const { handleSubmit, itemProps } = useForm<{ issuerId: string }>({
    initialValues: { issuerId: "" },
    validation: { issuerId: (value) => fieldReason(() => parseIssuerId(value)) },
    async onSubmit(values) {
      await importCandidate(props.candidate, {
        issuerId: parseIssuerId(values.issuerId),
        onImported: () => {
          pop();
          props.onImported();
        },
      });
    },
  });
  return (
    <Form
      navigationTitle={`Import Key ${props.candidate.keyId}`}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Import Key" icon={Icon.Download} onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.Description text={`${props.candidate.origins[0]} holds no Issuer ID: enter its team's.`} />
      <Form.TextField title="Issuer ID" placeholder={EXAMPLE_ISSUER_ID} {...itemProps.issuerId} />
    </Form>
  );
}

/** Picks a fastlane API key JSON file (whatever its name) or an Expo project's eas.json to list its keys. */
function PickKeyJson(props: { onPick: (file: string) => void }) {
  const { pop } = useNavigation();
  const { handleSubmit, itemProps } = useForm<{ file: string[] }>({
    initialValues: { file: [] },
    validation: {
      file: (value) => (value?.length ? undefined : "Choose fastlane's API key JSON file or an eas.json."),
    },
    onSubmit(values) {
      props.onPick(values.file[0]);
      pop();
    },
  });
  return (
    <Form
      navigationTitle="Choose Fastlane JSON or EAS JSON"
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Show Its Keys" icon={Icon.Document} onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.FilePicker
        title="JSON File"
        allowMultipleSelection={false}
        canChooseDirectories={false}
        info="fastlane's API key JSON (the file its api_key_path reads: key_id, issuer_id and the key, in clear), or an Expo project's eas.json (each submit profile's ascApiKeyPath, ascApiKeyId and ascApiKeyIssuerId)."
        {...itemProps.file}
      />
    </Form>
  );
}
