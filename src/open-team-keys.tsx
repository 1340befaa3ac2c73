import { open, showHUD } from "@raycast/api";
import { keyStore } from "./helpers/core";
import { TEAM_KEYS_URL } from "./lib/asc-client";
import { readStatus } from "./lib/pipeline";

/** Opens Team Keys, naming the registered Key ID so the user knows which row to revoke. */
export default async function Command() {
  await open(TEAM_KEYS_URL);
  let hud = "Opened Team Keys";
  try {
    const { status } = await readStatus(keyStore());
    hud = status.configured
      ? `Opened Team Keys: LingCode uses key ${status.keyId}`
      : "Opened Team Keys: no key is registered with LingCode";
  } catch {
    // The page is open; the Keychain can be looked at from API Key Status.
  }
  await showHUD(hud);
}
