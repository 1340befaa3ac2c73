import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      // @raycast/api is types plus the CLI; its components exist only inside Raycast.
      "@raycast/api": path.resolve(import.meta.dirname, "test/raycast/api.tsx"),
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The real Keychain exists only on a Mac; elsewhere `npm test` names these files as not applicable.
    exclude: process.platform === "darwin" ? [] : ["test/**/*.darwin.test.ts"],
    environment: "node",
    // At least two files at a time, even on a 2-core machine (vitest's default there is one): most of a keyring or
    // CLI test's time is spent waiting on secret-tool, the keyring daemon or a child process, not on a core.
    maxWorkers: Math.max(2, os.availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fresh fake Raycast before each test, screens unmounted after (test/raycast/setup.ts).
    setupFiles: ["test/raycast/setup.ts"],
    // The asc-key bundle the child-process tests run, built once per run (test/support/build-cli.ts).
    globalSetup: ["test/support/build-cli.ts"],
    server: {
      deps: {
        // Run @raycast/utils through Vite so its own `import ... from "@raycast/api"` hits the alias above.
        inline: ["@raycast/utils"],
      },
    },
  },
});
