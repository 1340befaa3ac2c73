/**
 * API Keys, driven like a user against the Apple stand-in: the saved keys listed with
 * the one LingCode uses marked, switching, renaming, removing the active key (asking what next), a damaged key.
 * After each change LingCode's entry holds exactly the key LingCode uses (in the first test, as keytar and a bare
 * `secret-tool lookup` read it from the private Secret Service).
 */
import { describe, expect, it } from "vitest";
import Command from "../src/api-keys";
import { keyStore } from "../src/helpers/core";
import { ACCOUNT } from "../src/lib/keychain";
import { OUTCOME, TEAM_KEYS_URL } from "../src/lib/apple/outcomes";
import { prepareKey, registerKey } from "../src/lib/keys";
import { Icon } from "@raycast/api";
import { answerNextAlert, raycast, render, type Screen } from "./raycast/harness";
import { HAS_KEYRING, ISSUER_ID, testWorld, type WorldKey } from "./support/world";
import { HAS_KEYTAR, loadKeytar, lookupDirectly, storeDirectly } from "./support/keyring";

const world = testWorld("keys");

/** Registers a key under a name (checked with the stand-in), LingCode using it or not. */
async function register(key: WorldKey, name: string, use: boolean) {
  const prepared = await prepareKey({ kind: key.kind, issuerId: key.issuerId, keyId: key.keyId, p8Text: key.pem });
  await registerKey(prepared, { store: keyStore(), verify: false, name, use });
}

async function openList(): Promise<Screen> {
  const screen = await render(<Command />);
  await screen.waitFor(() => !screen.isLoading);
  return screen;
}

/**
 * What LingCode reads: exactly this key, in its entry; with the real keyring (the first test), through a bare
 * `secret-tool lookup` and keytar, as a native app reads it.
 */
async function expectLingCodeReads(key: WorldKey) {
  const service = world.service;
  const stored = await world.backend().get(service, ACCOUNT);
  expect(stored && (JSON.parse(stored) as { keyId: string }).keyId).toBe(key.keyId);
  if (!world.usesRealKeyring) return;
  expect(lookupDirectly(service, ACCOUNT)).toBe(stored);
  if (HAS_KEYTAR) expect(await loadKeytar().getPassword(service, ACCOUNT)).toBe(stored);
}

describe.skipIf(!HAS_KEYRING)("API Keys", () => {
  it("lists every saved key by name, the one LingCode uses marked; Use for LingCode switches in one step", async () => {
    await world.realKeyring();
    const [acme, globex, initech] = [world.key(), world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    await register(initech, "Initech", false);
    const screen = await openList();
    expect(screen.items().map((item) => [item.title, item.subtitle])).toEqual([
      ["Acme", acme.keyId],
      ["Globex", globex.keyId],
      ["Initech", initech.keyId],
    ]);
    expect(screen.items()[0].accessories).toContain("Used by LingCode");
    expect(screen.items()[1].accessories).not.toContain("Used by LingCode");
    await expectLingCodeReads(acme);

    await screen.select("Globex");
    expect(screen.actionTitles()[0]).toBe("Use for LingCode");
    await screen.runAction("Use for LingCode");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect(raycast.toast?.title).toBe('LingCode Uses "Globex"');
    // The same sentence as the AI switch tool and asc-key use.
    expect(raycast.toast?.message).toBe(
      `LingCode now uses "Globex" (Issuer ID ends in ...${ISSUER_ID.slice(-3)}, Key ID ${globex.keyId}); "Acme" stays saved.`,
    );
    await expectLingCodeReads(globex);
    await screen.waitFor(() => expect(screen.items()[1].accessories).toContain("Used by LingCode"));
    expect(screen.items()[0].accessories).not.toContain("Used by LingCode");
    // The launcher subtitle and Open Team Keys learn of the switch from LocalStorage.
    expect(JSON.parse(raycast.localStorage["saved-key"] as string)).toMatchObject({ summary: { keyId: globex.keyId } });
    world.pems.forEach((pem) => expect(JSON.stringify(screen.items())).not.toContain(pem.split("\n")[1]));
  });

  it("Rename…, then removing the key LingCode uses asks which key it uses next", async () => {
    const [acme, globex] = [world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    const screen = await openList();
    await screen.select("Globex");
    await screen.runAction("Rename…");
    await screen.form.setValue("name", "Globex Corp");
    await screen.runAction("Rename Key");
    await screen.waitFor(() => expect(screen.items().map((item) => item.title)).toContain("Globex Corp"));

    await screen.select("Acme");
    await screen.runAction("Remove Key…");
    expect(screen.navigationTitle).toBe('Remove "Acme"');
    expect(screen.form.values()).toEqual({ next: globex.keyId });
    answerNextAlert(true);
    await screen.runAction("Remove Key");
    await screen.waitFor(() => expect(screen.items().map((item) => item.title)).toEqual(["Globex Corp"]));
    expect(raycast.toast?.message).toBe(
      `LingCode now uses "Globex Corp" (Issuer ID ends in ...${ISSUER_ID.slice(-3)}, Key ID ${globex.keyId}).`,
    );
    await expectLingCodeReads(globex);
  });

  it("Rotate Key… on a key LingCode does not use: Team Keys, then the form; the new key takes its name and place", async () => {
    const [acme, globex, globexNext] = [world.key(), world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    const screen = await openList();
    await screen.select("Globex");
    await screen.runAction("Rotate Key…");
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(screen.depth).toBe(2);
    expect(screen.navigationTitle).toBe('Rotate "Globex"');
    await screen.waitFor(() => !screen.isLoading);
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.form.setValue("p8", [await world.writeP8(globexNext)]);
    await screen.waitFor(() => expect(screen.form.field("keyId").value).toBe(globexNext.keyId));
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    await screen.waitFor(() => screen.depth === 1, { timeout: 5000 });
    await screen.waitFor(() =>
      expect(screen.items().map((item) => [item.title, item.subtitle])).toEqual([
        ["Acme", acme.keyId],
        ["Globex", globexNext.keyId],
      ]),
    );
    expect(raycast.alerts[0].title).toBe(`Rotate "Globex" (Key ID ${globex.keyId})?`);
    // LingCode kept its key: rotating another saved key never switches it.
    await expectLingCodeReads(acme);
  });

  it("Record Role from Team Keys: kept with the key and shown on its row; Admin gets the advice; Forget clears it", async () => {
    const [acme, mine] = [world.key(), world.key({ kind: "individual" })];
    await register(acme, "Acme", true);
    await register(mine, "Mine", false);
    const screen = await openList();
    const menu = "Record Role from Team Keys";
    expect(screen.actionTitles()).toContain(menu);
    expect(screen.submenuActions(menu).map((action) => action.title)).toEqual([
      "Open Team Keys (Access Column)",
      "App Manager",
      "Admin",
    ]);

    await screen.runAction(`${menu} › App Manager`);
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect(raycast.toast?.title).toBe("Recorded as App Manager");
    expect(raycast.toast?.message).toBe(`"Acme" (Key ID ${acme.keyId}) recorded as App Manager (from Team Keys).`);
    await screen.waitFor(() => expect(screen.items()[0].accessories).toContain("App Manager"));
    expect(screen.submenuActions(menu).map((action) => [action.title, action.icon])).toEqual([
      ["Open Team Keys (Access Column)", expect.anything()],
      ["App Manager", Icon.CheckCircle],
      ["Admin", Icon.Circle],
      ["Forget Recorded Role", Icon.XMarkCircle],
    ]);

    await screen.runAction(`${menu} › Admin`);
    // What to do comes first, in the title; why, then what was recorded, in a message short enough to be read whole.
    await screen.waitFor(() => expect(raycast.toast?.title).toBe(`Rotate Key ${acme.keyId} to an App Manager Key`));
    expect(raycast.toast?.message).toBe(
      `An Admin key can do more than LingCode needs. "Acme" (Key ID ${acme.keyId}) recorded as Admin (from Team Keys).`,
    );
    expect(raycast.toast?.primaryAction).toBe("Open Team Keys");
    await screen.waitFor(() => expect(screen.items()[0].accessories).toContain("Admin"));

    await screen.runAction(`${menu} › Forget Recorded Role`);
    await screen.waitFor(() => expect(raycast.toast?.title).toBe("Recorded Role Forgotten"));
    await screen.waitFor(() => expect(screen.items()[0].accessories).not.toContain("Admin"));
    // Only the key's non-secret facts changed: LingCode's entry is the same key.
    await expectLingCodeReads(acme);

    // Team Keys shows no role for an individual key: nothing to record.
    await screen.select("Mine");
    expect(screen.actionTitles()).not.toContain(menu);
  });

  it("Verify with Apple on LingCode's key: one request, its answer shows in the list", async () => {
    const [acme, globex] = [world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    const screen = await openList();
    const listed = raycast.toasts.length;
    await screen.select("Acme");
    const requestsBefore = world.apple.requests.length;
    await screen.runAction("Verify with Apple");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect(world.apple.requests).toHaveLength(requestsBefore + 1);
    await screen.waitFor(() => expect(screen.items()[0].accessories).toContain(OUTCOME.valid.label));
    expect(raycast.toasts.length).toBe(listed + 1);
  });

  it("a damaged saved key is listed as such, with Remove, and never hides the others", async () => {
    await world.realKeyring();
    const [acme, globex] = [world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    // Globex's item overwritten with something that is not a key record.
    storeDirectly(keyStore().saved.service, `key-${globex.keyId}`, "{broken");
    const screen = await openList();
    expect(screen.items().map((item) => item.title)).toEqual(["Acme", "Globex"]);
    expect(screen.items()[1].accessories).toEqual(["Damaged"]);
    await screen.select("Globex");
    // A damaged key offers only Remove (and Register): it cannot be used, checked or copied.
    expect(screen.actionTitles()).toEqual(["Remove Key…", "Register API Key"]);
    await expectLingCodeReads(acme);
    // Removed like any other key; Acme stays.
    answerNextAlert(true);
    await screen.runAction("Remove Key…");
    await screen.waitFor(() => expect(screen.items().map((item) => item.title)).toEqual(["Acme"]));
  });

  it("a name planted with U+202E in the list of saved keys is shown escaped, never raw", async () => {
    await world.realKeyring();
    const [acme, globex] = [world.key(), world.key()];
    await register(acme, "Acme", true);
    await register(globex, "Globex", false);
    const service = keyStore().saved.service;
    const page = lookupDirectly(service, "index")!;
    storeDirectly(service, "index", page.replace('"Globex"', '"Glo\\u202eXEBOLG"'));
    const screen = await openList();
    expect(screen.items().map((item) => [item.title, item.subtitle])).toEqual([
      ["Acme", acme.keyId],
      ["Glo\\u202eXEBOLG", globex.keyId],
    ]);
    expect(JSON.stringify(screen.items())).not.toContain("\u202e");
  });
});
