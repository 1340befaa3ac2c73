/**
 * asc-key: the command line for the App Store Connect API key the LingCode agent uses. Bundled by
 * scripts/build-cli.mjs into dist-cli/asc-key.js (package.json `bin`). Plain Node: no Raycast import under src/cli.
 */
import { processIo } from "./io";
import { main } from "./main";

main(process.argv.slice(2), processIo()).then((status) => {
  // Not process.exit(): let stdout and stderr drain first.
  process.exitCode = status;
});
