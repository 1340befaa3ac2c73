/**
 * The linter keeps the doors (eslint.config.js): each rule that holds the design up is shown failing on a violation
 * and passing on the allowed form, with the project's own configuration.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = process.cwd();
const eslint = new ESLint({ cwd: root });

async function rulesFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result.messages.map((message) => `${message.ruleId}`);
}

describe("a face reaches a room only through its door", () => {
  const faces = [
    "src/components/Fixture.tsx",
    "src/hooks/useFixture.ts",
    "src/helpers/fixture.ts",
    "src/tools/fixture.ts",
    "src/cli/fixture.ts",
  ];
  it.each(faces)("%s: a file inside a room is refused", async (face) => {
    const depth = face.split("/").length - 2;
    const up = "../".repeat(depth);
    expect(await rulesFor(face, `import { x } from "${up}lib/keychain/saved";\nexport const y = x;\n`)).toEqual([
      "no-restricted-imports",
    ]);
    expect(await rulesFor(face, `import { x } from "${up}lib/apple/ask";\nexport const y = x;\n`)).toEqual([
      "no-restricted-imports",
    ]);
  });
  it.each(faces)("%s: the room's door and the root's primitives are open", async (face) => {
    const up = "../".repeat(face.split("/").length - 2);
    const code = `import { a } from "${up}lib/keys";\nimport { b } from "${up}lib/text";\nexport const y = [a, b];\n`;
    expect(await rulesFor(face, code)).toEqual([]);
  });
  it("a command file is a face too", async () => {
    expect(
      await rulesFor("src/fixture-command.tsx", `import { x } from "./lib/keys/read";\nexport const y = x;\n`),
    ).toEqual(["no-restricted-imports"]);
  });
  it("inside src/lib a room may use another's files (the rule is for faces)", async () => {
    expect(
      await rulesFor("src/lib/keys/fixture.ts", `import { x } from "../keychain/saved";\nexport const y = x;\n`),
    ).toEqual([]);
  });
});

describe("only the Apple room sends requests", () => {
  const outside = [
    "src/components/Fixture.tsx",
    "src/tools/fixture.ts",
    "src/cli/fixture.ts",
    "src/lib/keys/fixture.ts",
  ];
  it.each(outside)("%s: fetch, globalThis.fetch and node:http(s) are refused", async (file) => {
    expect(await rulesFor(file, `export const y = () => fetch("https://example.invalid");\n`)).toEqual([
      "no-restricted-globals",
    ]);
    expect(await rulesFor(file, `export const y = () => globalThis.fetch("https://example.invalid");\n`)).toEqual([
      "no-restricted-properties",
    ]);
    for (const name of ["node:https", "node:http", "https"]) {
      expect(await rulesFor(file, `import m from "${name}";\nexport const y = m;\n`)).toEqual([
        "no-restricted-imports",
      ]);
    }
  });
  it("src/lib/apple may", async () => {
    const code = `import https from "node:https";\nexport const y = () => [https, fetch("https://example.invalid")];\n`;
    expect(await rulesFor("src/lib/apple/fixture.ts", code)).toEqual([]);
  });
  it("src/lib and src/cli import nothing of Raycast", async () => {
    for (const file of ["src/lib/keys/fixture.ts", "src/lib/apple/fixture.ts", "src/cli/fixture.ts"]) {
      expect(await rulesFor(file, `import { x } from "@raycast/api";\nexport const y = x;\n`)).toEqual([
        "no-restricted-imports",
      ]);
    }
  });
});

describe("an import circle is an error", () => {
  // A project of two files that import each other, linted with this repository's configuration.
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "lint-cycle-"));
    await fs.mkdir(path.join(dir, "src/lib"), { recursive: true });
    await fs.symlink(path.join(root, "node_modules"), path.join(dir, "node_modules"));
    await fs.writeFile(
      path.join(dir, "eslint.config.js"),
      `module.exports = require(${JSON.stringify(path.join(root, "eslint.config.js"))});\n`,
    );
    await fs.writeFile(path.join(dir, "src/lib/a.ts"), `import { b } from "./b";\nexport const a = () => b;\n`);
    await fs.writeFile(path.join(dir, "src/lib/b.ts"), `import { a } from "./a";\nexport const b = () => a;\n`);
    await fs.writeFile(path.join(dir, "src/lib/c.ts"), `import { b } from "./b";\nexport const c = () => b;\n`);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("refuses the ring and lets a line through", async () => {
    const linter = new ESLint({ cwd: dir });
    const results = await linter.lintFiles(["src/lib/a.ts", "src/lib/c.ts"]);
    const byFile = Object.fromEntries(
      results.map((result) => [path.basename(result.filePath), result.messages.map((m) => m.ruleId)]),
    );
    expect(byFile["a.ts"]).toEqual(["import-x/no-cycle"]);
    expect(byFile["c.ts"]).toEqual([]);
  });
});
