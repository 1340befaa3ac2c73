/**
 * vitest setupFiles entry: every test starts from a fresh fake Raycast, leaves nothing mounted, and
 * fails if the double caught misuse a command may have swallowed (e.g. confirmAlert with no answer).
 */
import { tmpdir } from "node:os";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { cleanup, raycast, resetRaycast, takeProblems } from "./harness";

// The saved keys' lock lives in a per-user folder (userLockDir, src/lib/keychain/store.ts); under test it goes to a
// throwaway folder instead, never the user's own: asc-key (in this process and as a child, which inherits it) and
// the test settings read LINGCODE_LOCK_DIR (src/cli/settings.ts).
process.env.LINGCODE_LOCK_DIR ||= path.join(tmpdir(), `lingcode-test-locks-${process.getuid?.() ?? 0}`);

// The extension's one seam: its settings (always the real `LingCode` entry and Apple) become a throwaway entry and
// the local Apple stand-in, as test/support/settings.ts reads them from the test's environment.
vi.mock("../../src/helpers/settings", async () => {
  const { testSettings } = await import("../support/settings");
  return { extensionSettings: testSettings };
});

// asc-key run in this process (test/support/asc-key.ts) reaches the Keychain a test world chose: the private Secret
// Service by default, or an in-memory one (test/support/test-backend.ts). The rest of its settings are its own.
vi.mock("../../src/cli/settings", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/cli/settings")>();
  const { testBackend } = await import("../support/test-backend");
  const { storeFor } = await import("../../src/lib/settings");
  return {
    ...original,
    keyStoreFor(env: NodeJS.ProcessEnv) {
      const backend = testBackend();
      return backend ? storeFor({ ...original.settingsFromEnv(env), backend }) : original.keyStoreFor(env);
    },
  };
});

// Every AI tool (each file of src/tools/) answers through a wrapper that records its answer, its confirmation's and any
// error's message in `raycast.toolAnswers`, where the test world's leak check reads them (test/support/world.ts).
// vi.doMock, not vi.mock: the list of tools is read from the folder, and the test file's imports come after this file.
const TOOLS = path.resolve(process.cwd(), "src/tools");
for (const file of readdirSync(TOOLS).filter((name) => name.endsWith(".ts"))) {
  const tool = file.replace(/\.ts$/, "");
  vi.doMock(path.join(TOOLS, file), async (importOriginal) => {
    const original = await importOriginal<Record<string, (...args: never[]) => unknown>>();
    const wrapped: Record<string, unknown> = { ...original };
    if (typeof original.default === "function") wrapped.default = recordingAnswers(tool, original.default);
    if (typeof original.confirmation === "function") {
      wrapped.confirmation = recordingAnswers(`${tool} (confirmation)`, original.confirmation);
    }
    return wrapped;
  });
}

function recordingAnswers(tool: string, answer: (...args: never[]) => unknown) {
  return async (...args: never[]) => {
    try {
      const result = await answer(...args);
      raycast.toolAnswers.push({ tool, answer: result });
      return result;
    } catch (error) {
      raycast.toolAnswers.push({ tool, answer: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };
}

// Tell React this is a test environment where updates are wrapped in act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

beforeEach(() => {
  resetRaycast();
});

afterEach(async () => {
  await cleanup();
  const problems = takeProblems();
  if (problems.length) throw new Error(`The Raycast double caught problems:\n- ${problems.join("\n- ")}`);
});
