/**
 * Open Team Keys (no-view), run as Raycast runs it, against the private Secret Service `npm test` starts (this
 * file's own service).
 */
import { describe, expect, it } from "vitest";
import Command from "../src/open-team-keys";
import { TEAM_KEYS_URL } from "../src/lib/asc-client";
import { raycast, runNoView } from "./raycast/harness";
import { commandWorld, HAS_KEYRING } from "./support/commands";

process.env.LINGCODE_KEYCHAIN_SERVICE = `LingCode-test-open-${process.pid}`;
const world = commandWorld();

describe.skipIf(!HAS_KEYRING)("Open Team Keys", () => {
  it("opens Team Keys; the HUD names the registered Key ID", async () => {
    const key = world.key();
    await world.seed(key);
    await runNoView(Command);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(raycast.huds).toEqual([`Opened Team Keys: LingCode uses key ${key.keyId}`]);
    expect(world.apple.requests).toEqual([]);
  });

  it("an individual key is named the same way", async () => {
    const key = world.key({ kind: "individual" });
    await world.seed(key);
    await runNoView(Command);
    expect(raycast.huds).toEqual([`Opened Team Keys: LingCode uses key ${key.keyId}`]);
  });

  it("with no key, the HUD says none is registered", async () => {
    await runNoView(Command);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(raycast.huds).toEqual(["Opened Team Keys: no key is registered with LingCode"]);
  });

  it("a locked keyring does not stop the page from opening", async () => {
    await world.seed(world.key());
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');
    await runNoView(Command);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(raycast.huds).toEqual(["Opened Team Keys"]);
    expect(raycast.toasts).toEqual([]);
  });
});
