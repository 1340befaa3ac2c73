import { Action, ActionPanel, Form, Icon, useNavigation } from "@raycast/api";
import { useForm } from "@raycast/utils";
import { addToCiSecretsWithToast } from "../helpers/ci-secrets";
import { CI_GROUPS, CI_VENDOR, CI_VENDORS, leftOutWords, ciNames, parseCiTarget, type CiVendor } from "../lib/ci";
import { EXPORT_TABLE, type ExportGroup } from "../lib/exports";
import type { KeyKind } from "../lib/record";

/** The text fields, and one checkbox per group (only the CI groups are shown). */
type Values = { repository: string; vendor: string; environment: string } & Record<ExportGroup, boolean>;

/** The target as the form has it, checked by the core (undefined fields left out). */
function targetOf(values: Values) {
  const vendor = values.vendor as CiVendor;
  const environment = vendor === "github" && values.environment.trim() !== "" ? values.environment : undefined;
  return parseCiTarget({ vendor, repo: values.repository, environment });
}

function groupsOf(values: Values): ExportGroup[] {
  return CI_GROUPS.filter((group) => values[group] === true);
}

/** The reason a field is refused, from the core's own check (one line). */
function reason(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : "Not valid.";
  }
}

/**
 * Add to CI Secrets…: the repository, the vendor, the tools and (GitHub) an environment; then one toast naming what
 * was set. The key goes only to gh's or glab's stdin.
 */
export function CiSecretsForm(props: { keyId: string; kind: KeyKind; name?: string; onDone: () => void }) {
  const { handleSubmit, itemProps, values, setValidationError } = useForm<Values>({
    initialValues: {
      repository: "",
      vendor: "github",
      environment: "",
      ...(Object.fromEntries(EXPORT_TABLE.map((spec) => [spec.group, spec.group !== "codemagic"])) as Record<
        ExportGroup,
        boolean
      >),
    },
    validation: {
      repository: (value) =>
        value?.trim() ? undefined : "The repository: owner/name on GitHub, group/project on GitLab.",
    },
    async onSubmit(submitted) {
      const groups = groupsOf(submitted);
      if (groups.length === 0) {
        setValidationError(CI_GROUPS[0], "Choose at least one tool.");
        return;
      }
      // The core's own check of where (one line), shown on the field it is about.
      const refused = reason(() => targetOf(submitted));
      if (refused) {
        setValidationError(
          /--env/.test(refused) ? "environment" : "repository",
          refused.replace(/^--\w+ takes /, "Takes "),
        );
        return;
      }
      if (await addToCiSecretsWithToast(props.keyId, targetOf(submitted), groups)) props.onDone();
    },
  });
  const groups = groupsOf(values);
  const names = ciNames(props.kind, groups);
  const leftOut = leftOutWords(names.leftOut, groups);
  return (
    <Form
      navigationTitle={`Add ${props.name ? `"${props.name}"` : `Key ${props.keyId}`} to CI Secrets`}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Add to CI Secrets" icon={Icon.Upload} onSubmit={handleSubmit} />
        </ActionPanel>
      }
    >
      <Form.Dropdown {...itemProps.vendor} title="Vendor">
        {CI_VENDORS.map((vendor) => (
          <Form.Dropdown.Item
            key={vendor}
            value={vendor}
            title={`${CI_VENDOR[vendor].label} (${CI_VENDOR[vendor].tool})`}
          />
        ))}
      </Form.Dropdown>
      <Form.TextField
        {...itemProps.repository}
        title="Repository"
        placeholder={values.vendor === "gitlab" ? "group/project" : "owner/name"}
        info="Where the secrets go; gh or glab must be logged in with a right to manage its secrets."
      />
      {values.vendor === "github" ? (
        <Form.TextField
          {...itemProps.environment}
          title="Environment"
          placeholder="Optional, e.g. production"
          info="A deployment environment's secrets instead of the repository's."
        />
      ) : null}
      {CI_GROUPS.map((group) => (
        <Form.Checkbox
          key={group}
          {...itemProps[group]}
          title={group === CI_GROUPS[0] ? "Tools" : undefined}
          label={group}
          info={EXPORT_TABLE.find((spec) => spec.group === group)?.tools}
        />
      ))}
      <Form.Description
        title="Names"
        text={
          groups.length === 0
            ? "Choose at least one tool."
            : `${names.names.map((n) => n.name).join(", ")}${leftOut ? `\n${leftOut}` : ""}`
        }
      />
    </Form>
  );
}

/** Add to CI Secrets…, the same wherever a key is shown (API Keys, API Key Status). */
export function AddToCiSecretsAction(props: { keyId: string; kind: KeyKind; name?: string }) {
  const { pop } = useNavigation();
  return (
    <Action.Push
      title="Add to CI Secrets…"
      icon={Icon.Upload}
      target={<CiSecretsForm keyId={props.keyId} kind={props.kind} name={props.name} onDone={pop} />}
    />
  );
}
