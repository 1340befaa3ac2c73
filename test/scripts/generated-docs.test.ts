/** The parts of docs/ written from the code match it: `npm run docs` rewrites them (scripts/generated-docs.ts). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_SECTIONS, withSection } from "../../scripts/generated-docs";
import { COMMAND_HELP, COMMAND_NAMES, TOOL_HELP } from "../../src/cli/help";

describe("docs written from the code", () => {
  it.each(GENERATED_SECTIONS.map((section) => [`${section.file} (${section.name})`, section] as const))(
    "%s is up to date (npm run docs)",
    async (_, section) => {
      const file = path.join(process.cwd(), section.file);
      const text = readFileSync(file, "utf8");
      const prettier = await import("prettier");
      const expected = await prettier.format(withSection(text, section), {
        ...(await prettier.resolveConfig(file)),
        filepath: file,
      });
      expect(text).toBe(expected);
    },
  );

  it("docs/cli.md holds every command's --help, word for word", () => {
    const text = readFileSync(path.join(process.cwd(), "docs/cli.md"), "utf8");
    expect(text).toContain(TOOL_HELP);
    for (const name of COMMAND_NAMES) expect(text).toContain(COMMAND_HELP[name]);
  });

  it("a missing marker is said, not skipped", () => {
    expect(() => withSection("no markers here", GENERATED_SECTIONS[1])).toThrow(/docs\/cli.md lacks the markers/);
  });
});
