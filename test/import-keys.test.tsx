/**
 * Import Keys, driven like a user against the private Secret Service and the Apple stand-in: what Raycast's own
 * environment, the private_keys folders and a picked fastlane JSON or eas.json hold, each key with its state; importing one key
 * in one action through the registration; after an import from a file, the offer to move it to the Trash.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import Command from "../src/import-keys";
import { keyFingerprint } from "../src/lib/key";
import { answerNextAlert, raycast, render, type Screen } from "./raycast/harness";
import { fastlaneJsonOf, HAS_KEYRING, ISSUER_ID, ISSUER_SUFFIX, testWorld } from "./support/world";

const world = testWorld("import-keys");

const ENV_NAMES = ["ASC_KEY_ID", "ASC_ISSUER_ID", "ASC_PRIVATE_KEY"];
afterEach(async () => {
  ENV_NAMES.forEach((name) => delete process.env[name]);
  for (const folder of ["private_keys", ".appstoreconnect"])
    await fs.rm(path.join(world.home, folder), { recursive: true, force: true });
});

async function open(): Promise<Screen> {
  const screen = await render(<Command />);
  await screen.waitFor(() => !screen.isLoading);
  return screen;
}

/** Each item as [section-less title, state tag]. */
const rows = (screen: Screen) => screen.items().map((item) => [item.title, item.accessories[0]]);

describe.skipIf(!HAS_KEYRING)("Import Keys", () => {
  it("lists the environment's key and a private_keys .p8 with their states, and imports one in one action", async () => {
    const saved = world.key();
    await world.seed(saved);
    const fresh = world.key();
    process.env.ASC_KEY_ID = fresh.keyId;
    process.env.ASC_ISSUER_ID = ISSUER_ID;
    process.env.ASC_PRIVATE_KEY = fresh.pem;
    const folder = path.join(world.home, ".appstoreconnect", "private_keys");
    await fs.mkdir(folder, { recursive: true });
    await fs.writeFile(path.join(folder, `AuthKey_${saved.keyId}.p8`), saved.pem);

    const screen = await open();
    expect(rows(screen)).toEqual([
      [fresh.keyId, "New"],
      [saved.keyId, "Already Saved"],
    ]);
    expect(screen.items()[0].subtitle).toBe(`Issuer ID ends in ...${ISSUER_SUFFIX} · $ASC_PRIVATE_KEY`);
    // Saved already with its Issuer ID: the .p8 needs nothing, so its subtitle asks for nothing.
    expect(screen.items()[1].subtitle).toBe(
      `Issuer ID ends in ...${ISSUER_SUFFIX} · ~/.appstoreconnect/private_keys/AuthKey_${saved.keyId}.p8`,
    );
    // A saved key has nothing to import.
    await screen.select(saved.keyId);
    expect(screen.actionTitles()).not.toContain("Import Key");

    await screen.select(fresh.keyId);
    expect(screen.actionTitles()[0]).toBe("Import Key");
    // LingCode uses a key of the same team: the registration asks before switching, as the form does.
    answerNextAlert(true);
    await screen.runAction("Import Key");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect(raycast.alerts[0].title).toBe(`Use Key ${fresh.keyId} for LingCode?`);
    expect(world.apple.requests.some((request) => request.keyId === fresh.keyId)).toBe(true);
    const now = await world.saved();
    expect(now?.keyId).toBe(fresh.keyId);
    expect(keyFingerprint(now!.privateKey)).toBe(keyFingerprint(fresh.pem));
    await screen.waitFor(() => expect(rows(screen)[0]).toEqual([fresh.keyId, "Already Saved"]));
    // An environment variable is no file: nothing is offered to the Trash.
    expect(raycast.alerts).toHaveLength(1);
  });

  it("a picked fastlane JSON: its key listed, imported, then the file offered to the Trash", async () => {
    const key = world.key();
    const file = await world.writeFile("asc.json", fastlaneJsonOf(key));
    const broken = await world.writeFile("other.json", `not json ${key.pem}`);

    const screen = await open();
    expect(screen.emptyView()?.title).toBe("No Keys Found");
    for (const picked of [file, broken]) {
      await screen.runAction("Choose Fastlane JSON or EAS JSON…");
      await screen.form.setValue("file", [picked]);
      await screen.runAction("Show Its Keys");
      await screen.waitFor(() => screen.depth === 1 && !screen.isLoading);
    }
    await screen.waitFor(() =>
      expect(rows(screen)).toEqual([
        [key.keyId, "New"],
        ["other.json", "Can't Import"],
      ]),
    );
    expect(screen.items()[1].subtitle).toBe(
      "other.json is not JSON; fastlane's API key file is a JSON object with key_id, issuer_id and key.",
    );

    await screen.select(key.keyId);
    answerNextAlert(true);
    await screen.runAction("Import Key");
    await screen.waitFor(() => expect(raycast.trashed).toEqual([file]));
    expect(raycast.alerts.map((alert) => alert.title)).toEqual(["Move asc.json to the Trash?"]);
    expect((await world.saved())?.keyId).toBe(key.keyId);
    // The trashed file's section is gone; the broken one stays.
    await screen.waitFor(() => expect(rows(screen)).toEqual([["other.json", "Can't Import"]]));
  });

  it("a .p8 without its Issuer ID asks for it, then imports it as a team key", async () => {
    const key = world.key();
    const folder = path.join(world.home, "private_keys");
    await fs.mkdir(folder, { recursive: true });
    const file = path.join(folder, `AuthKey_${key.keyId}.p8`);
    await fs.writeFile(file, key.pem);

    const screen = await open();
    await screen.select(key.keyId);
    await screen.runAction("Import with Issuer ID…");
    await screen.form.setValue("issuerId", `Issuer ID: ${ISSUER_ID}`);
    answerNextAlert(false); // keep the .p8 where altool finds it
    await screen.runAction("Import Key");
    await screen.waitFor(() => expect(raycast.alerts).toHaveLength(1));
    expect(raycast.alerts[0].title).toBe(`Move AuthKey_${key.keyId}.p8 to the Trash?`);
    expect(raycast.trashed).toEqual([]);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId, kind: "team", issuerId: ISSUER_ID });
  });
});

describe("Import Keys with an Expo project's eas.json", () => {
  it("lists each submit profile's key, imports one, then offers its .p8 (never eas.json) to the Trash and says what the profile can say", async () => {
    const team = world.key();
    const individual = world.key({ kind: "individual" });
    const p8 = await world.writeP8(team);
    const project = path.dirname(p8);
    const elsewhere = await world.writeP8(individual);
    const easJson = path.join(project, "eas.json");
    await fs.writeFile(
      easJson,
      JSON.stringify({
        cli: { version: ">= 16.0.0" },
        submit: {
          production: {
            ios: { ascApiKeyPath: path.basename(p8), ascApiKeyId: team.keyId, ascApiKeyIssuerId: ISSUER_ID },
          },
          personal: { ios: { ascApiKeyPath: elsewhere, ascApiKeyId: individual.keyId } },
        },
      }),
    );

    const screen = await open();
    await screen.runAction("Choose Fastlane JSON or EAS JSON…");
    await screen.form.setValue("file", [easJson]);
    await screen.runAction("Show Its Keys");
    await screen.waitFor(() =>
      expect(rows(screen)).toEqual([
        [team.keyId, "New"],
        [individual.keyId, "New"],
      ]),
    );
    expect(screen.items()[0].subtitle).toBe(`Issuer ID ends in ...${ISSUER_SUFFIX} · eas.json profile production`);
    expect(screen.items()[1].subtitle).toBe("Individual key · eas.json profile personal");

    await screen.select(team.keyId);
    answerNextAlert(true);
    await screen.runAction("Import Key");
    await screen.waitFor(() => expect(raycast.trashed).toEqual([p8]));
    expect(raycast.alerts.map((alert) => alert.title)).toEqual([`Move AuthKey_${team.keyId}.p8 to the Trash?`]);
    expect(raycast.alerts[0].message).toContain('"ascApiKeyPath": "$EXPO_ASC_API_KEY_PATH"');
    expect((await world.saved())?.keyId).toBe(team.keyId);
  });
});
