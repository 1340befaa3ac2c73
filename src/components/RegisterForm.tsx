import { Action, ActionPanel, Form, Icon, Keyboard } from "@raycast/api";
import path from "node:path";
import { useForm } from "@raycast/utils";
import { parseKeyName } from "../lib/names";
import { useEffect, useRef } from "react";
import { submitRegistration } from "../helpers/register";
import { useKeyFile, type KeyFileInfo } from "../hooks/useKeyFile";
import { useRegisterDefaults, type RegisterDefaults } from "../hooks/useRegisterDefaults";
import { planFor, useRegistrationPlan } from "../hooks/useRegistrationPlan";
import { TEAM_KEYS_URL } from "../lib/apple";
import { describeError } from "../lib/errors";
import { printable } from "../lib/text";
import { EXAMPLE_ISSUER_ID, findIssuerIds, keyIdFromFileName, parseIssuerId, parseKeyId } from "../lib/ids";
import type { KeyInput, Registration, RegistrationPlan } from "../lib/keys";

interface RegisterValues {
  kind: string;
  issuerId: string;
  keyId: string;
  p8: string[];
  verify: boolean;
  trash: boolean;
  name: string;
  use: boolean;
}

/** A field's inline reason: what the key model says when `check` refuses the value. */
export function fieldReason(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/** The Key ID field's note: the file named for another Key ID, or the key model's warning about the typed one. */
function keyIdNote(typedKeyId: string, fileKeyId: string | undefined): string | undefined {
  const typed = typedKeyId.trim().toUpperCase();
  if (fileKeyId && typed && fileKeyId !== typed) {
    return `The file is named for Key ID ${fileKeyId}; check which is right (the file may have been renamed).`;
  }
  try {
    return typed ? parseKeyId(typed).warning : undefined;
  } catch {
    return undefined;
  }
}

/** The key the form's values describe, once the three of them are valid (the file read without complaint). */
function validInput(values: RegisterValues, fileError: string | undefined | null): KeyInput | undefined {
  const kind = values.kind === "individual" ? "individual" : "team";
  const p8Path = values.p8?.[0];
  if (!p8Path || fileError !== undefined) return undefined;
  if (kind === "team" && fieldReason(() => parseIssuerId(values.issuerId))) return undefined;
  if (fieldReason(() => parseKeyId(values.keyId))) return undefined;
  return { kind, issuerId: kind === "team" ? values.issuerId : undefined, keyId: values.keyId, p8Path };
}

/** Register API Key: the three values Apple gives, checked inline, then verified and saved in one step. */
export function RegisterForm(props: {
  onRegistered?: (registration: Registration) => void;
  /** Rotate Key…: the saved key the new one replaces, taking its name and place. */
  rotate?: { keyId: string; name?: string };
}) {
  const rotating = props.rotate !== undefined;
  const { handleSubmit, itemProps, values, setValue, setValidationError } = useForm<RegisterValues>({
    initialValues: { kind: "team", issuerId: "", keyId: "", p8: [], verify: true, trash: false, name: "", use: true },
    validation: {
      issuerId: (value): string | undefined =>
        values.kind === "team" ? fieldReason(() => parseIssuerId(value)) : undefined,
      keyId: (value): string | undefined => fieldReason(() => parseKeyId(value)),
      name: (value): string | undefined => (value?.trim() ? fieldReason(() => parseKeyName(value)) : undefined),
      p8: (value): string | undefined => {
        if (!value?.length) return "Choose the AuthKey_<Key ID>.p8 file you downloaded from Apple.";
        return keyFile.data?.path === value[0] ? keyFile.data.error : undefined;
      },
    },
    async onSubmit(submitted) {
      const input: KeyInput = {
        kind: submitted.kind === "individual" ? "individual" : "team",
        issuerId: submitted.kind === "team" ? submitted.issuerId : undefined,
        keyId: submitted.keyId,
        p8Path: submitted.p8[0],
      };
      await submitRegistration(input, {
        verify: submitted.verify,
        trashAfter: submitted.trash,
        name: submitted.name,
        use: submitted.use,
        rotate: props.rotate,
        ...planFor(planned.data, input, props.rotate?.keyId),
        onOutdated: () => void planned.revalidate(),
        onFieldError: setValidationError,
        onIndividual: () => setValue("kind", "individual"),
        // Also after "Save Without Verifying" in the failure toast, once the form's submit has returned.
        onRegistered: props.onRegistered,
      });
    },
  });

  const p8Path = values.p8?.[0];
  const keyFile = useKeyFile(p8Path);
  useSuggestions(values, setValue);
  const fileRead = keyFile.data?.path === p8Path && !keyFile.isLoading;
  const planned = useRegistrationPlan(validInput(values, fileRead ? keyFile.data?.error : null), props.rotate?.keyId);
  const plan = planned.data?.plan;
  const touchUse = useUseDefault(plan, values.use, (use) => setValue("use", use), rotating);

  // Show a bad file's reason as soon as it is picked, not only on submit.
  useEffect(() => {
    if (keyFile.data && keyFile.data.path === p8Path) setValidationError("p8", keyFile.data.error);
  }, [keyFile.data, p8Path]);
  const json = keyFile.data?.path === p8Path ? keyFile.data?.json : undefined;
  useJsonFields(json, setValue);

  const keyIdInfo = keyIdNote(values.keyId, keyFile.data?.path === p8Path ? keyFile.data?.fileKeyId : undefined);

  const isTeam = values.kind === "team";
  return (
    <Form
      navigationTitle={
        rotating ? `Rotate ${props.rotate?.name ? `"${props.rotate.name}"` : "Key"}` : "Register API Key"
      }
      isLoading={keyFile.isLoading || planned.isLoading}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Register API Key" icon={Icon.Key} onSubmit={handleSubmit} />
          <Action.OpenInBrowser title="Open Team Keys" url={TEAM_KEYS_URL} shortcut={Keyboard.Shortcut.Common.Open} />
        </ActionPanel>
      }
    >
      <Form.Description text="Apple shows the Issuer ID and Key ID on Users and Access > Integrations, and lets you download the .p8 once. The key goes into the Keychain, where LingCode reads it." />
      <Form.Dropdown
        id="kind"
        title="Key Type"
        value={values.kind}
        onChange={(kind) => setValue("kind", kind)}
        info="Team keys act for the team and need the Issuer ID; individual keys act as you and have none."
      >
        <Form.Dropdown.Item value="team" title="Team" icon={Icon.TwoPeople} />
        <Form.Dropdown.Item value="individual" title="Individual" icon={Icon.Person} />
      </Form.Dropdown>
      {isTeam ? issuerIdField(itemProps.issuerId) : null}
      <Form.TextField {...itemProps.keyId} title="Key ID" placeholder="2X9R4HXF34" info={keyIdInfo} />
      {keyFileField(itemProps.p8, keyFile.data?.path === p8Path ? keyFile.data?.fingerprint : undefined, (keyId) =>
        setValue("keyId", keyId),
      )}
      <Form.Separator />
      <Form.TextField
        {...itemProps.name}
        title="Name"
        placeholder={rotating && props.rotate?.name ? props.rotate.name : (plan?.name ?? "e.g. Acme (optional)")}
        info={
          rotating
            ? "Left empty, the new key keeps the rotated key's name."
            : "A name to know the key by among your saved keys, such as the client. Left empty: Unnamed key (Rename… gives it one later)."
        }
      />
      {rotating ? null : (
        <Form.Checkbox
          {...itemProps.use}
          onChange={(checked) => {
            touchUse();
            itemProps.use.onChange?.(checked);
          }}
          label="Use for LingCode"
          info="LingCode reads one key. Unchecked, the key is only saved: API Keys switches to it in one step."
        />
      )}
      <Form.Checkbox {...itemProps.verify} label="Verify with Apple before saving" />
      {json && json.source !== "fastlane-json" && !json.holder ? (
        // An eas.json whose .p8 lies outside its project: that file is not one a project leaves lying around, and
        // nothing here would move it, so no box says it will.
        <Form.Description text="The .p8 this eas.json names lies outside its project; it stays where it is." />
      ) : (
        <Form.Checkbox {...itemProps.trash} label={trashLabel(json)} />
      )}
    </Form>
  );
}

/**
 * Fills in what the user already has: the newest AuthKey_*.p8 in Downloads, an Issuer ID on the clipboard. A newer
 * suggestion replaces an earlier one, never something the user chose or typed.
 */
function useSuggestions(
  values: RegisterValues,
  setValue: <K extends keyof RegisterValues>(id: K, value: RegisterValues[K]) => void,
) {
  const defaults = useRegisterDefaults();
  const suggested = useRef<RegisterDefaults>({});
  useEffect(() => {
    if (!defaults.data) return;
    const { p8Path: file, keyId, issuerId } = defaults.data;
    const untouched = (value: string | undefined, earlier: string | undefined) => !value || value === earlier;
    if (file && file !== values.p8?.[0] && untouched(values.p8?.[0], suggested.current.p8Path)) {
      setValue("p8", [file]);
      suggested.current.p8Path = file;
      if (keyId && untouched(values.keyId, suggested.current.keyId)) {
        setValue("keyId", keyId);
        suggested.current.keyId = keyId;
      }
    }
    if (issuerId && issuerId !== values.issuerId && untouched(values.issuerId, suggested.current.issuerId)) {
      setValue("issuerId", issuerId);
      suggested.current.issuerId = issuerId;
    }
  }, [defaults.data]);
}

/** fastlane's API key JSON or an eas.json picked in the file field: the Key Type, Issuer ID and Key ID fill their fields. */
function useJsonFields(
  json: KeyFileInfo["json"],
  setValue: <K extends keyof RegisterValues>(id: K, value: RegisterValues[K]) => void,
) {
  useEffect(() => {
    if (!json) return;
    setValue("kind", json.kind);
    if (json.kind === "team") setValue("issuerId", json.issuerId ?? "");
    setValue("keyId", json.keyId);
  }, [json]);
}

/** What "Move to the Trash" moves: the .p8, fastlane's JSON, or the .p8 an eas.json names in its project. */
function trashLabel(json: KeyFileInfo["json"]): string {
  if (json?.source === "fastlane-json") return "Move the fastlane JSON to the Trash after saving";
  if (json?.holder) return `Move ${printable(path.basename(json.holder))} to the Trash after saving`;
  return "Move the .p8 to the Trash after saving";
}

/**
 * "Use for LingCode" shows what the plan says LingCode does by default (or must do: the new key takes the place of
 * the key LingCode uses); a choice the user made is never overridden, unless the plan makes it impossible.
 */
function useUseDefault(
  plan: RegistrationPlan | undefined,
  use: boolean,
  setUse: (use: boolean) => void,
  rotating: boolean,
) {
  const touched = useRef(false);
  useEffect(() => {
    if (!plan || rotating) return;
    const wanted = plan.mustUse || (touched.current ? use : plan.useByDefault);
    if (wanted !== use) setUse(wanted);
  }, [plan]);
  return () => {
    touched.current = true;
  };
}

type FieldProps<T> = { id: string; value?: T; onChange?: (value: T) => void; error?: string };

/** The Issuer ID: a paste such as "Issuer ID: 69a6de70-…" is cleaned to the ID itself. */
function issuerIdField(props: FieldProps<string>) {
  return (
    <Form.TextField
      {...props}
      title="Issuer ID"
      placeholder={EXAMPLE_ISSUER_ID}
      info="Shown at the top of the Team Keys page; one per team."
      onChange={(text) => {
        const found = findIssuerIds(text);
        const cleaned = found.length === 1 && text.trim().toLowerCase() !== found[0] ? found[0] : text;
        props.onChange?.(cleaned);
      }}
    />
  );
}

/** The .p8 picker: its fingerprint once read; a file named AuthKey_<Key ID>.p8 fills in the Key ID. */
function keyFileField(props: FieldProps<string[]>, fingerprint: string | undefined, setKeyId: (keyId: string) => void) {
  return (
    <Form.FilePicker
      {...props}
      title="Private Key (.p8)"
      allowMultipleSelection={false}
      canChooseDirectories={false}
      canChooseFiles
      info={fingerprint ? `Fingerprint ${fingerprint}` : "AuthKey_<Key ID>.p8, as downloaded from App Store Connect."}
      onChange={(paths) => {
        props.onChange?.(paths);
        const fileKeyId = paths[0] ? keyIdFromFileName(paths[0]) : undefined;
        if (fileKeyId) setKeyId(fileKeyId);
      }}
    />
  );
}
