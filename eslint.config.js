const { defineConfig, globalIgnores } = require("eslint/config");
const raycastConfig = require("@raycast/eslint-config");
const importX = require("eslint-plugin-import-x");

/**
 * The rooms of src/lib: each is a folder whose index.ts is its only door. A face (a command file, a component, hook,
 * helper, AI tool or the CLI) imports a room through that door and never a file inside it; the root's own files are the
 * shared primitives and open to all. test/lint/doors.test.ts proves every rule below fails on a violation.
 */
const FACES = ["src/*.tsx", "src/components/**", "src/hooks/**", "src/helpers/**", "src/tools/**", "src/cli/**"];
/** The one room that may talk to the network: App Store Connect's requests are made in src/lib/apple/ask.ts. */
const APPLE_ROOM = "src/lib/apple/**";

const roomDoors = {
  group: ["**/lib/*/*", "!**/lib/*/index"],
  message: "A face imports a room of src/lib only through its door (lib/<room>, its index.ts), never a file inside it.",
};
const raycastInCore = { group: ["@raycast/*"], message: "src/lib and src/cli are plain Node: no Raycast imports." };
const network = ["http", "https", "node:http", "node:https", "http2", "node:http2", "undici"].map((name) => ({
  name,
  message: "Only the Apple room (src/lib/apple) sends requests: ask it through lib/apple.",
}));
const noFetch = {
  "no-restricted-globals": [
    "error",
    { name: "fetch", message: "Only the Apple room (src/lib/apple) sends requests: ask it through lib/apple." },
  ],
  "no-restricted-properties": [
    "error",
    { object: "globalThis", property: "fetch", message: "Only the Apple room (src/lib/apple) sends requests." },
  ],
};

module.exports = defineConfig([
  globalIgnores([
    "dist/",
    "dist-cli/",
    "node_modules/",
    "raycast-env.d.ts",
    "bench/results/",
    // Deliberate violations, linted by test/lint/doors.test.ts alone.
    "test/lint/fixtures/",
  ]),
  ...raycastConfig,
  {
    // An import circle anywhere in src is an error: the rooms stand on each other, never in a ring.
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "import-x": importX },
    settings: {
      // TypeScript files are parsed as TypeScript when the rule follows an import (the plugin's own TypeScript preset).
      "import-x/parsers": importX.flatConfigs.typescript.settings["import-x/parsers"],
      "import-x/extensions": importX.flatConfigs.typescript.settings["import-x/extensions"],
      "import-x/resolver-next": [importX.createNodeResolver({ extensions: [".ts", ".tsx", ".js", ".mjs", ".json"] })],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: [APPLE_ROOM],
    rules: { ...noFetch, "no-restricted-imports": ["error", { paths: network }] },
  },
  {
    // The core runs in plain Node, without Raycast.
    files: ["src/lib/**/*.ts"],
    ignores: [APPLE_ROOM],
    rules: { "no-restricted-imports": ["error", { paths: network, patterns: [raycastInCore] }] },
  },
  {
    files: [APPLE_ROOM],
    rules: { "no-restricted-imports": ["error", { patterns: [raycastInCore] }] },
  },
  {
    files: FACES,
    ignores: ["src/cli/**"],
    rules: { "no-restricted-imports": ["error", { paths: network, patterns: [roomDoors] }] },
  },
  {
    // The CLI is a face and plain Node.
    files: ["src/cli/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: network, patterns: [roomDoors, raycastInCore] }] },
  },
  {
    // This file is CommonJS, as Raycast's template has it.
    files: ["eslint.config.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs", "scripts/**/*.js"],
    languageOptions: { sourceType: "module" },
  },
]);
