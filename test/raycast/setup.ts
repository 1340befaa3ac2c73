/**
 * vitest setupFiles entry: every test starts from a fresh fake Raycast, leaves nothing mounted, and
 * fails if the double caught misuse a command may have swallowed (e.g. confirmAlert with no answer).
 */
import { afterEach, beforeEach } from "vitest";
import { cleanup, resetRaycast, takeProblems } from "./harness";

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
