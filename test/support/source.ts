/**
 * The extension's and the CLI's own source, read as text: for the tests that hold "one name, one thing" (a rule or a
 * helper defined once, and every face calling it), which a duplicate brought back must fail.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const SRC = path.join(__dirname, "..", "..", "src");

export interface SourceFile {
  /** The path under src/, with forward slashes: `lib/text.ts`. */
  path: string;
  text: string;
}

let cached: SourceFile[] | undefined;

/** Every .ts and .tsx file under src/. */
export function sourceFiles(): SourceFile[] {
  cached ??= readdirSync(SRC, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file))
    .sort()
    .map((file) => ({ path: file.split(path.sep).join("/"), text: readFileSync(path.join(SRC, file), "utf8") }));
  return cached;
}

/** The files under src/ in which `pattern` matches, with how many times (a global pattern is made of it). */
export function filesMatching(pattern: RegExp): Record<string, number> {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
  const found: Record<string, number> = {};
  for (const file of sourceFiles()) {
    const count = [...file.text.matchAll(global)].length;
    if (count > 0) found[file.path] = count;
  }
  return found;
}
