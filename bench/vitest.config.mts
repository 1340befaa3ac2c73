// vitest for the bench's per-action counts (bench/actions.bench-test.tsx): the project's config (the
// @raycast/api double, its setup, @raycast/utils inlined) with only bench files included, so `npm test` never runs
// them and this never runs the tests. Started by bench/run.mjs inside its private keyring.
import path from "node:path";
import { defineConfig } from "vitest/config";
import project from "../vitest.config.mts";

export default defineConfig({
  ...project,
  root: path.resolve(import.meta.dirname, ".."),
  test: { ...project.test, include: ["bench/**/*.bench-test.tsx"] },
});
