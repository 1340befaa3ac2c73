/**
 * Open Team Keys (no-view), run as Raycast runs it. It names the key from what the extension last saw (LocalStorage),
 * never from the Keychain: naming a row on Team Keys is no reason for an unlock dialog.
 */
import { describe, expect, it } from "vitest";
import ApiKeyStatus from "../src/api-key-status";
import CheckApiKey from "../src/check-api-key";
import { rememberSavedKey } from "../src/helpers/local-storage";
import Command from "../src/open-team-keys";
import { TEAM_KEYS_URL } from "../src/lib/apple/outcomes";
import { summarize } from "../src/lib/status";
import { raycast, render, runNoView } from "./raycast/harness";
import { testWorld, HAS_KEYRING } from "./support/world";

const world = testWorld("open");

describe.skipIf(!HAS_KEYRING)("Open Team Keys", () => {
  it("after API Key Status showed the key: the HUD names it, without reading the Keychain", async () => {
    await world.realKeyring();
    const key = world.key();
    await world.seed(key);
    const status = await render(<ApiKeyStatus />);
    await status.waitFor(() => expect(status.markdown).toContain(key.keyId));
    await status.unmount();
    // No Keychain at all from here on: a read would fail the command's HUD.
    await world.hideSecretTool();
    await runNoView(Command);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(raycast.huds).toEqual([`Opened Team Keys: LingCode uses key ${key.keyId}`]);
    expect(world.apple.requests).toEqual([]);
  });

  it("after Check API Key found no key: says none is registered", async () => {
    await runNoView(CheckApiKey, { launchContext: {} } as never);
    await runNoView(Command);
    expect(raycast.huds.at(-1)).toBe("Opened Team Keys: no key is registered with LingCode");
  });

  it("an individual key is named the same way", async () => {
    const key = world.key({ kind: "individual" });
    await rememberSavedKey(summarize(await world.seed(key)));
    await runNoView(Command);
    expect(raycast.huds).toEqual([`Opened Team Keys: LingCode uses key ${key.keyId}`]);
  });

  it("nothing seen yet: the page opens and the HUD names no key (the Keychain is not asked)", async () => {
    await world.realKeyring();
    await world.seed(world.key());
    await world.fakeSecretTool('echo "must not be called" >&2; exit 1');
    await runNoView(Command);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(raycast.huds).toEqual(["Opened Team Keys"]);
    expect(raycast.toasts).toEqual([]);
  });
});
