/**
 * Remove Key…, one flow (removeWithConfirmation in src/helpers/saved-key-actions.ts, on the core's planRemoval, behind
 * RemoveKeyAction): API Key Status and API Keys ask the same question and say the same thing for the same removal,
 * each removal is planned once, and no view removes a key any other way.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import ApiKeys from "../../src/api-keys";
import ApiKeyStatus from "../../src/api-key-status";
import { keyStore } from "../../src/helpers/core";
import * as change from "../../src/lib/keys/change";
import { registerKey } from "../../src/lib/keys";
import { answerNextAlert, raycast, render, type Screen } from "../raycast/harness";
import { filesMatching } from "../support/source";
import { HAS_KEYRING, ISSUER_ID, testWorld, toastTitles, type WorldKey } from "../support/world";

vi.mock("../../src/lib/keys/change", async (original) => {
  const actual = await original<typeof import("../../src/lib/keys/change")>();
  return { ...actual, planRemoval: vi.fn(actual.planRemoval), removeKey: vi.fn(actual.removeKey) };
});

const world = testWorld("removal");
beforeEach(() => {
  vi.mocked(change.planRemoval).mockClear();
  vi.mocked(change.removeKey).mockClear();
});

async function register(key: WorldKey, name: string, use: boolean) {
  await registerKey(
    { kind: "team", issuerId: ISSUER_ID, keyId: key.keyId, p8Text: key.pem },
    { store: keyStore(), verify: false, name, use },
  );
}

async function settled(screen: Screen) {
  await screen.waitFor(() => !screen.isLoading && (raycast.toast === undefined || raycast.toast.style !== "ANIMATED"));
}

/** What the user is asked and told when removing the key LingCode uses, its only key, from `open`'s view. */
async function removeOnlyKey(open: () => Promise<Screen>) {
  const key = world.key();
  await register(key, "Acme", true);
  const screen = await open();
  vi.mocked(change.planRemoval).mockClear();
  vi.mocked(change.removeKey).mockClear();
  raycast.alerts.length = 0;
  answerNextAlert(true);
  await screen.runAction("Remove Key…");
  await settled(screen);
  expect(await world.saved()).toBeUndefined();
  expect(change.planRemoval).toHaveBeenCalledTimes(1);
  expect(change.removeKey).toHaveBeenCalledTimes(1);
  const { title, message } = raycast.alerts[0];
  const said = { title, message, toast: toastTitles(raycast.toast), toastMessage: raycast.toast?.message };
  screen.unmount();
  return { keyId: key.keyId, said };
}

describe.skipIf(!HAS_KEYRING)("Remove Key…, one flow", () => {
  it("API Key Status and API Keys ask and say the same for the same removal, planned once", async () => {
    const fromStatus = await removeOnlyKey(async () => {
      const screen = await render(<ApiKeyStatus />);
      await settled(screen);
      return screen;
    });
    const fromList = await removeOnlyKey(async () => {
      const screen = await render(<ApiKeys />);
      await screen.waitFor(() => !screen.isLoading);
      await screen.select("Acme");
      return screen;
    });
    const sameWords = (said: typeof fromList.said, keyId: string) =>
      JSON.parse(JSON.stringify(said).replaceAll(keyId, "<Key ID>"));
    expect(sameWords(fromList.said, fromList.keyId)).toEqual(sameWords(fromStatus.said, fromStatus.keyId));
    expect(fromList.said).toEqual({
      title: `Remove Key ${fromList.keyId}?`,
      message: `LingCode can't reach App Store Connect until you register a key again. "Acme" (Key ID ${fromList.keyId}) keeps working at Apple until you revoke it on Team Keys.`,
      toast: [`Removing Key ${fromList.keyId}…`, `Removed Key ${fromList.keyId} From the Keychain`],
      toastMessage: `Revoke ${fromList.keyId} on Team Keys if nobody needs it.`,
    });
  });

  it("a key LingCode does not use: asked about it, removed, LingCode's key untouched", async () => {
    const [acme, globex] = [world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    const screen = await render(<ApiKeys />);
    await screen.waitFor(() => !screen.isLoading);
    await screen.select("Globex");
    answerNextAlert(false);
    await screen.runAction("Remove Key…");
    expect(raycast.alerts[0]).toMatchObject({
      title: `Remove Key ${globex.keyId}?`,
      message: `"Globex" (Key ID ${globex.keyId}) keeps working at Apple until you revoke it on Team Keys.`,
    });
    expect(change.removeKey).not.toHaveBeenCalled();
    answerNextAlert(true);
    await screen.runAction("Remove Key…");
    await screen.waitFor(() => expect(screen.items().map((item) => item.title)).toEqual(["Acme"]));
    expect((await world.saved())?.keyId).toBe(acme.keyId);
  });

  it("is the one: no view removes a key, or asks about it, but through it", () => {
    expect(filesMatching(/\bremoveKey\(/)).toEqual({
      "cli/commands.ts": 1,
      "helpers/saved-key-actions.ts": 1,
      "lib/keys/change.ts": 1,
      "tools/remove-api-key.ts": 1,
    });
    expect(filesMatching(/\bremoveWithConfirmation\(/)).toEqual({
      "components/RemoveKeyAction.tsx": 2,
      "helpers/saved-key-actions.ts": 1,
    });
    expect(filesMatching(/<RemoveKeyAction\b/)).toEqual({
      "components/KeyActions.tsx": 1,
      "components/SavedKeyActions.tsx": 1,
    });
  });
});
