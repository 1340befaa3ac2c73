const { defineConfig, globalIgnores } = require("eslint/config");
const raycastConfig = require("@raycast/eslint-config");

module.exports = defineConfig([
  globalIgnores(["dist/", "dist-cli/", "node_modules/", "raycast-env.d.ts", "bench/results/"]),
  ...raycastConfig,
  {
    // The core and the CLI run in plain Node, without Raycast.
    files: ["src/lib/**/*.ts", "src/cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@raycast/*"], message: "src/lib and src/cli are plain Node: no Raycast imports." }] },
      ],
    },
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
