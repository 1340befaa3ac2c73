/**
 * The parts of docs/ written from the code, so that a fact has one home: the exports table in docs/pipeline.md (from
 * src/lib/exports) and the command reference in docs/cli.md (from asc-key's own --help texts, src/cli/help.ts).
 * `npm run docs` (scripts/docs.mjs) rewrites them; test/scripts/generated-docs.test.ts fails when a doc drifts from
 * its source, so CI does too.
 */
import { CI_SOURCE_WORDS, ciVariables, EXPORT_TABLE, SOURCE_WORDS } from "../src/lib/exports";
import { COMMAND_HELP, COMMAND_NAMES, TOOL_HELP } from "../src/cli/help";

export interface GeneratedSection {
  /** The document, from the repository's root. */
  file: string;
  /** The section sits between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
  name: string;
  /** Its Markdown, before Prettier formats the document. */
  render: () => string;
}

/** `<Key ID>` would be an HTML tag to Markdown. */
const escapeAngles = (words: string) => words.replace(/</g, "\\<");

/**
 * The exports part of docs/pipeline.md: the variables per group, what is removed from the command's environment, and
 * what each tool does with individual keys.
 */
function exportsMarkdown(): string {
  const header = ["--only", "Variable", "Value", "For"];
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`;
  const rows = EXPORT_TABLE.flatMap((spec) =>
    spec.variables.map((variable) => [
      spec.group,
      `\`${variable.name}\``,
      escapeAngles(SOURCE_WORDS[variable.source]),
      escapeAngles(variable.about),
    ]),
  );
  const table = [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
  const cleared = EXPORT_TABLE.flatMap((spec) =>
    spec.clears.map((c) => `- \`${c.name}\` (${spec.group}): ${escapeAngles(c.why)}.`),
  ).join("\n");
  const individual = EXPORT_TABLE.map(
    (spec) => `- **${spec.group}** (${escapeAngles(spec.tools)}): ${escapeAngles(spec.individualKeys)}.`,
  ).join("\n");
  const sources = EXPORT_TABLE.map((spec) => `- **${spec.group}**: ${escapeAngles(spec.source)}.`).join("\n");
  const ciHeader = ["--only", "CI secret", "Value"];
  const ci = [
    line(ciHeader),
    line(ciHeader.map(() => "---")),
    ...EXPORT_TABLE.flatMap((spec) =>
      ciVariables(spec).map((variable) =>
        line([spec.group, `\`${variable.name}\``, escapeAngles(CI_SOURCE_WORDS[variable.source])]),
      ),
    ),
  ].join("\n");
  return [
    table,
    "Removed from the command's environment when their group is chosen, so that a value inherited from elsewhere cannot mix with this key:",
    cleared,
    "Individual keys (no Issuer ID), tool by tool:",
    individual,
    "Where these facts come from:",
    sources,
    "What `asc-key ci` sets as CI secrets (the groups that hand over a file have none):",
    ci,
  ].join("\n\n");
}

/** The command reference of docs/cli.md: `asc-key --help`, then each command's `--help`, exactly as printed. */
function cliReferenceMarkdown(): string {
  const block = (title: string, text: string) => `### \`${title}\`\n\n\`\`\`text\n${text}\n\`\`\``;
  return [
    block("asc-key --help", TOOL_HELP),
    ...COMMAND_NAMES.map((name) => block(`asc-key ${name} --help`, COMMAND_HELP[name])),
  ].join("\n\n");
}

export const GENERATED_SECTIONS: readonly GeneratedSection[] = [
  { file: "docs/pipeline.md", name: "exports-table", render: exportsMarkdown },
  { file: "docs/cli.md", name: "cli-help", render: cliReferenceMarkdown },
];

/** The document's text with the section's part written afresh (before formatting); throws when a marker is missing. */
export function withSection(text: string, section: GeneratedSection): string {
  const start = `<!-- ${section.name}:start -->`;
  const end = `<!-- ${section.name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${section.file} lacks the markers ${start} ... ${end}`);
  return `${text.slice(0, from)}${start}\n\n${section.render()}\n\n${text.slice(to)}`;
}
