import { open, showHUD } from "@raycast/api";
import { readRememberedEntry } from "./helpers/local-storage";
import { TEAM_KEYS_URL } from "./lib/apple";

/**
 * Opens Team Keys, naming the registered Key ID so the user knows which row to revoke. The Key ID comes from what
 * the extension remembers (LocalStorage), never from the Keychain: naming a row is no reason for an unlock dialog.
 */
export default async function Command() {
  await open(TEAM_KEYS_URL);
  let hud = "Opened Team Keys";
  try {
    const entry = await readRememberedEntry();
    if (entry?.state === "key") hud = `Opened Team Keys: LingCode uses key ${entry.summary.keyId}`;
    else if (entry?.state === "none") hud = "Opened Team Keys: no key is registered with LingCode";
  } catch {
    // The page is open; which key is saved can be looked at in API Key Status.
  }
  await showHUD(hud);
}
