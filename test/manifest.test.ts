/**
 * The manifest (package.json) against the code and Raycast's store rules: every tool and command has its file
 * and the reverse, the AI evals call only tools that exist with arguments their Input types accept, and the
 * store-quality fields (titles, platforms, license, categories, icon) are right.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { parseIssuerId, parseKeyId } from "../src/lib/ids";

const root = process.cwd();

interface Entry {
  name: string;
  title: string;
  description: string;
  [field: string]: unknown;
}

interface Eval {
  input: string;
  mocks?: Record<string, unknown>;
  expected: unknown[];
}

interface Manifest {
  name: string;
  title: string;
  description: string;
  icon: string;
  author: string;
  license: string;
  platforms: string[];
  categories: string[];
  commands: (Entry & { mode: string; interval?: string })[];
  tools: Entry[];
  preferences: (Entry & { type: string; default?: string; data?: { title: string; value: string }[] })[];
  ai: { instructions: string; evals: Eval[] };
}

const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Manifest;

/** The TypeScript source of src/tools/<name>.ts, parsed (not type-checked: tsc does that). */
function toolSource(name: string): ts.SourceFile {
  const file = path.join(root, "src", "tools", `${name}.ts`);
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

interface InputField {
  optional: boolean;
  /** The type as written, e.g. `string`, `boolean`. */
  type: string;
  /** Its JSDoc comment: what the model reads about the field. */
  doc: string;
}

/**
 * The fields of the tool's input: the type of the default-exported function's first parameter, resolved to the
 * type alias or interface of that name in the same file. Undefined when the function takes no input.
 */
function inputFields(source: ts.SourceFile): Map<string, InputField> | undefined {
  let parameter: ts.ParameterDeclaration | undefined | null = null;
  for (const statement of source.statements) {
    if (
      ts.isFunctionDeclaration(statement) &&
      statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
      statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    ) {
      parameter = statement.parameters[0];
    }
  }
  if (parameter === null) throw new Error(`${source.fileName} has no default-exported function declaration`);
  if (parameter === undefined) return undefined;
  const typeNode = parameter.type;
  if (!typeNode) throw new Error(`${source.fileName}: the input parameter has no type`);
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  if (ts.isTypeLiteralNode(typeNode)) members = typeNode.members;
  else if (ts.isTypeReferenceNode(typeNode)) {
    const name = typeNode.typeName.getText(source);
    for (const statement of source.statements) {
      if (
        ts.isTypeAliasDeclaration(statement) &&
        statement.name.text === name &&
        ts.isTypeLiteralNode(statement.type)
      ) {
        members = statement.type.members;
      }
      if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) members = statement.members;
    }
  }
  if (!members) throw new Error(`${source.fileName}: can't resolve the input type ${typeNode.getText(source)}`);
  const fields = new Map<string, InputField>();
  for (const member of members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    fields.set(member.name.getText(source), {
      optional: Boolean(member.questionToken),
      type: member.type.getText(source),
      doc: ts
        .getJSDocCommentsAndTags(member)
        .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
        .join(" "),
    });
  }
  return fields;
}

function exportsConfirmation(source: ts.SourceFile): boolean {
  return source.statements.some(
    (s) =>
      ts.isVariableStatement(s) &&
      s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
      s.declarationList.declarations.some((d) => d.name.getText(source) === "confirmation"),
  );
}

type CallsTool = string | { name: string; arguments?: Record<string, unknown> };

/** Every `callsTool` in an eval's expectations, including those under `not`, with whether it is negated. */
function toolCalls(evaluation: Eval): { call: CallsTool; negated: boolean }[] {
  const found: { call: CallsTool; negated: boolean }[] = [];
  const visit = (value: unknown, negated: boolean) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, negated);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "callsTool") found.push({ call: inner as CallsTool, negated });
        else visit(inner, negated || key === "not");
      }
    }
  };
  visit(evaluation.expected, false);
  return found;
}

/** Why a callsTool's arguments do not fit the tool's Input type (empty when they do). */
function argumentProblems(call: CallsTool): string[] {
  if (typeof call === "string" || call.arguments === undefined) return [];
  const fields = inputFields(toolSource(call.name));
  if (!fields) return Object.keys(call.arguments).length > 0 ? [`${call.name} takes no input`] : [];
  const problems: string[] = [];
  for (const [argument, value] of Object.entries(call.arguments)) {
    const field = fields.get(argument);
    if (!field) problems.push(`${call.name} has no input field ${argument}`);
    else if (typeof value !== field.type)
      problems.push(`${call.name}.${argument} is ${typeof value}, not ${field.type}`);
  }
  for (const [name, field] of fields) {
    if (!field.optional && !(name in call.arguments)) problems.push(`${call.name} needs ${name}`);
  }
  return problems;
}

const toolNames = manifest.tools.map((tool) => tool.name);
const toolFiles = readdirSync(path.join(root, "src", "tools"))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.replace(/\.ts$/, ""));

/** Raycast's Title Case: every word capitalised except short function words inside the title. */
const MINOR_WORDS = new Set([
  "a",
  "an",
  "and",
  "as",
  "at",
  "but",
  "by",
  "for",
  "in",
  "of",
  "on",
  "or",
  "the",
  "to",
  "with",
]);
function titleCaseProblems(title: string): string[] {
  const words = title.split(/\s+/);
  return words.filter((word, index) => {
    const bare = word.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9…]+$/g, "");
    if (bare === "" || /^[0-9]/.test(bare)) return false;
    if (index > 0 && index < words.length - 1 && MINOR_WORDS.has(bare)) return false;
    return !/^[A-Z]/.test(bare);
  });
}

describe("tools", () => {
  it("every tool in the manifest has src/tools/<name>.ts, and every file there is in the manifest", () => {
    expect([...toolFiles].sort()).toEqual([...toolNames].sort());
  });

  it.each(toolNames)(
    "%s: default-exports an async function, and has a title and a description for the model",
    async (name) => {
      const module = (await import(`../src/tools/${name}.ts`)) as { default?: unknown };
      expect(typeof module.default).toBe("function");
      expect(module.default?.constructor.name).toBe("AsyncFunction");
      const entry = manifest.tools.find((tool) => tool.name === name)!;
      expect(titleCaseProblems(entry.title)).toEqual([]);
      expect(entry.description.length).toBeGreaterThan(40);
    },
  );

  it("the side-effecting tools export a confirmation; the read-only ones do not", async () => {
    const confirmed = toolNames.filter((name) => exportsConfirmation(toolSource(name))).sort();
    expect(confirmed).toEqual(["add-ci-secrets", "import-api-key", "remove-api-key", "save-api-key", "switch-api-key"]);
    for (const name of toolNames) {
      // The real module, not the answer-recording wrapper of test/raycast/setup.ts.
      const module = await vi.importActual<{ confirmation?: unknown }>(`../src/tools/${name}.ts`);
      expect(Object.keys(module).includes("confirmation")).toBe(confirmed.includes(name));
      if (confirmed.includes(name)) expect(typeof module.confirmation).toBe("function");
    }
  });

  it("every Input field is documented for the model (a JSDoc comment)", () => {
    for (const name of toolNames) {
      for (const [field, { doc }] of inputFields(toolSource(name)) ?? []) {
        expect(doc.length, `${name}.${field}`).toBeGreaterThan(20);
      }
    }
    expect(inputFields(toolSource("save-api-key"))!.get("p8Path")!.doc).toMatch(/Never the key's contents/);
  });
});

describe("ai.evals", () => {
  const evals = manifest.ai.evals;

  it("there are evals, each with an input addressed to this extension and expectations", () => {
    expect(evals.length).toBeGreaterThanOrEqual(4);
    for (const evaluation of evals) {
      expect(evaluation.input).toMatch(new RegExp(`^@${manifest.name} \\S`));
      expect(evaluation.expected.length).toBeGreaterThan(0);
    }
  });

  it.each(evals.map((e) => [e.input, e] as const))(
    "%s: calls and mocks only tools that exist",
    (_input, evaluation) => {
      for (const { call } of toolCalls(evaluation)) {
        const name = typeof call === "string" ? call : call.name;
        expect(toolNames).toContain(name);
      }
      for (const mocked of Object.keys(evaluation.mocks ?? {})) expect(toolNames).toContain(mocked);
    },
  );

  it.each(evals.map((e) => [e.input, e] as const))(
    "%s: callsTool arguments match the tool's Input type",
    (_input, evaluation) => {
      for (const { call } of toolCalls(evaluation)) expect(argumentProblems(call)).toEqual([]);
    },
  );

  it("the argument check catches a wrong name, a wrong type, a missing field and arguments to a no-input tool", () => {
    expect(argumentProblems({ name: "save-api-key", arguments: { issuerId: "x", keyID: "y", p8Path: 3 } })).toEqual([
      "save-api-key has no input field keyID",
      "save-api-key.p8Path is number, not string",
      "save-api-key needs keyId",
    ]);
    expect(argumentProblems({ name: "get-api-key-status", arguments: { keyId: "ABC1234DEF" } })).toEqual([
      "get-api-key-status takes no input",
    ]);
    expect(argumentProblems({ name: "switch-api-key", arguments: {} })).toEqual(["switch-api-key needs key"]);
    expect(argumentProblems("verify-api-key")).toEqual([]);
  });

  it("the seed conversations each expect the right tool", () => {
    const expectsTool = (text: string, tool: string) => {
      const evaluation = evals.find((e) => e.input.includes(text));
      expect(evaluation, text).toBeDefined();
      const calls = toolCalls(evaluation!).filter(({ negated }) => !negated);
      expect(calls.map(({ call }) => (typeof call === "string" ? call : call.name))).toContain(tool);
    };
    expectsTool("Is my ASC API key set up?", "get-api-key-status");
    expectsTool("Save my App Store Connect API key.", "save-api-key");
    expectsTool("Does my key still work?", "verify-api-key");
    expectsTool("Remove my ASC key", "remove-api-key");
    expectsTool("Switch LingCode to the Acme key", "switch-api-key");
    expectsTool("Which keys do I have?", "get-api-key-status");
  });

  it("the switch eval passes the name from the message, and its mock lists that key among the others", () => {
    const evaluation = evals.find((e) => e.input.includes("Switch LingCode to the Acme key"))!;
    const call = toolCalls(evaluation).find(({ call }) => typeof call !== "string" && call.name === "switch-api-key");
    expect((call!.call as { arguments?: Record<string, string> }).arguments).toEqual({ key: "Acme" });
    const status = evaluation.mocks?.["get-api-key-status"] as { otherKeys: { name: string }[] };
    expect(status.otherKeys.map((key) => key.name)).toContain("Acme");
  });

  it("the list eval's mock has other keys, masked, and expects every name", () => {
    const evaluation = evals.find((e) => e.input.includes("Which keys do I have?"))!;
    const status = evaluation.mocks?.["get-api-key-status"] as { name: string; otherKeys: Record<string, string>[] };
    const text = JSON.stringify(evaluation.expected);
    for (const name of [status.name, ...status.otherKeys.map((key) => key.name)]) {
      expect(text).toContain(`"includes":"${name}"`);
    }
    for (const key of status.otherKeys) {
      expect(Object.keys(key).sort()).toEqual(
        key.kind === "team"
          ? ["issuerIdSuffix", "keyId", "kind", "name", "savedAt"]
          : ["keyId", "kind", "name", "savedAt"],
      );
    }
  });

  it("the save eval passes the three values from the message, and they are ones the key model accepts", () => {
    const evaluation = evals.find((e) => e.input.includes("Save my App Store Connect API key."))!;
    const call = toolCalls(evaluation).find(({ call }) => typeof call !== "string" && call.name === "save-api-key");
    const args = (call!.call as { arguments?: Record<string, string> }).arguments!;
    expect(evaluation.input).toContain(args.issuerId);
    expect(evaluation.input).toContain(args.keyId);
    expect(evaluation.input).toContain(args.p8Path);
    expect(parseIssuerId(args.issuerId)).toBe(args.issuerId);
    expect(parseKeyId(args.keyId)).toEqual({ keyId: args.keyId });
    expect(path.basename(args.p8Path)).toBe(`AuthKey_${args.keyId}.p8`);
  });

  it("the status eval expects the masked Issuer ID and never the full one", () => {
    const evaluation = evals.find((e) => e.input.includes("Is my ASC API key set up?"))!;
    const text = JSON.stringify(evaluation.expected);
    expect(text).toMatch(/"includes":"\.\.\.[0-9a-f]{3}"/);
    expect(text).toMatch(/"not":\{"includes":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"\}/);
    const mock = evaluation.mocks?.["get-api-key-status"] as { sentence: string; issuerIdSuffix: string };
    expect(mock.sentence).toContain(`...${mock.issuerIdSuffix}`);
  });
});

describe("ai.instructions", () => {
  const instructions = manifest.ai.instructions;

  it("answer status questions with the sentence, and name only tools that exist", () => {
    expect(instructions).toMatch(/status sentence/);
    const named = instructions.match(/\b[a-z]+(?:-[a-z]+)*-api-key(?:-status)?\b/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(toolNames).toContain(name);
  });
});

describe("commands", () => {
  const commandFiles = readdirSync(path.join(root, "src"))
    .filter((file) => file.endsWith(".tsx"))
    .map((file) => file.replace(/\.tsx$/, ""));

  it("every command has src/<name>.tsx with a default export, and every src/*.tsx is a command", () => {
    for (const command of manifest.commands) {
      const file = path.join(root, "src", `${command.name}.tsx`);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, "utf8")).toMatch(/^export default /m);
    }
    expect([...commandFiles].sort()).toEqual(manifest.commands.map((c) => c.name).sort());
  });

  it("each has a Title Case title, a description and a mode", () => {
    for (const command of manifest.commands) {
      expect(titleCaseProblems(command.title), command.title).toEqual([]);
      expect(command.description.length).toBeGreaterThan(20);
      expect(["view", "no-view", "menu-bar"]).toContain(command.mode);
    }
  });

  it("the background check runs without a view twice a day", () => {
    const check = manifest.commands.find((c) => c.name === "check-api-key");
    expect(check).toMatchObject({ title: "Check API Key", mode: "no-view", interval: "12h" });
  });
});

describe("store fields", () => {
  it("Title Case titles for the extension, the tools and the preferences", () => {
    for (const title of [
      manifest.title,
      ...manifest.tools.map((t) => t.title),
      ...manifest.preferences.map((p) => p.title),
    ]) {
      expect(titleCaseProblems(title), title).toEqual([]);
    }
  });

  it("macOS only, MIT, and at least one known category", () => {
    expect(manifest.platforms).toEqual(["macOS"]);
    expect(manifest.license).toBe("MIT");
    expect(manifest.categories.length).toBeGreaterThan(0);
    const known = [
      "Applications",
      "Communication",
      "Data",
      "Design Tools",
      "Developer Tools",
      "Documentation",
      "Finance",
      "Fun",
      "Media",
      "News",
      "Productivity",
      "Security",
      "System",
      "Web",
      "Other",
    ];
    for (const category of manifest.categories) expect(known).toContain(category);
  });

  it("the icon is a 512x512 PNG in assets/", () => {
    const file = path.join(root, "assets", manifest.icon);
    expect(existsSync(file), file).toBe(true);
    const png = readFileSync(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it("the Suggest Rotation After preference: days, 180 by default, and off allowed", () => {
    const preference = manifest.preferences.find((p) => p.name === "rotateAfterDays");
    expect(preference).toMatchObject({
      title: "Suggest Rotation After",
      type: "dropdown",
      default: "180",
      required: false,
    });
    const values = preference!.data!.map((d) => d.value);
    expect(values).toContain("180");
    expect(values).toContain("0");
    for (const value of values) expect(Number.parseInt(value, 10)).toBeGreaterThanOrEqual(0);
  });

  it("CHANGELOG.md uses Raycast's heading format", () => {
    const changelog = readFileSync(path.join(root, "CHANGELOG.md"), "utf8");
    const headings = changelog.split("\n").filter((line) => line.startsWith("## "));
    expect(headings.length).toBeGreaterThan(0);
    for (const heading of headings) expect(heading).toMatch(/^## \[[^\]]+\] - (\{PR_MERGE_DATE\}|\d{4}-\d{2}-\d{2})$/);
  });
});
