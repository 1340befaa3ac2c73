import path from "node:path";
import { defineConfig, type Plugin } from "vitest/config";

const RAYCAST_STORE = path.resolve(import.meta.dirname, "src/helpers/store");
const TEST_STORE = path.resolve(import.meta.dirname, "test/support/raycast-store.ts");

/**
 * src/helpers/store.ts always means the real Keychain item (`LingCode`) and Apple; it reads no environment. Under
 * test, every relative, extension-less import of it (`./helpers/store`, `../helpers/store`, `./store` from
 * src/helpers, `../../src/helpers/store` from test/) gets test/support/raycast-store.ts instead, which follows
 * LINGCODE_KEYCHAIN_SERVICE and LINGCODE_ASC_API_URL. Decided on the resolved path, not the specifier: `./store`
 * in src/lib/keychain is another module. An absolute path still reaches the real module (test/helpers/store.test.ts).
 * A plugin, not a `resolve.alias` entry: an alias sees only the specifier, and an alias's `customResolver` (which
 * would see the importer) is deprecated in Vite 8.
 */
const raycastStoreForTests: Plugin = {
  name: "lingcode:raycast-store-for-tests",
  enforce: "pre",
  resolveId(source, importer) {
    if (!importer || !/^\.\.?\//.test(source)) return null;
    const target = path.resolve(path.dirname(importer.split("?")[0]), source);
    return target === RAYCAST_STORE ? TEST_STORE : null;
  },
};

export default defineConfig({
  plugins: [raycastStoreForTests],
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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Fresh fake Raycast before each test, screens unmounted after (test/raycast/setup.ts).
    setupFiles: ["test/raycast/setup.ts"],
    server: {
      deps: {
        // Run @raycast/utils through Vite so its own `import ... from "@raycast/api"` hits the alias above.
        inline: ["@raycast/utils"],
      },
    },
  },
});
