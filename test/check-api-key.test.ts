/**
 * Check API Key (no-view, every 12 hours in the background and on demand), run as Raycast runs it, against the
 * private Secret Service `npm test` starts (this file's own service) and the local Apple stand-in. What it leaves
 * is the command's subtitle in root search (updateCommandMetadata).
 */
import { LaunchType } from "@raycast/api";
import { describe, expect, it } from "vitest";
import Command from "../src/check-api-key";
import { rememberSavedKey } from "../src/helpers/local-storage";
import { ACCOUNT, LABEL } from "../src/lib/keychain";
import { LOCKED_MESSAGE } from "../src/lib/keychain/linux";
import { retireKey } from "../src/lib/keys";
import { summarize } from "../src/lib/status";
import { keyStore } from "../src/helpers/core";
import { makeRecord } from "./support/keys";
import { launchProps, raycast, runNoView, setEnvironment } from "./raycast/harness";
import { ANSWER_OF, testWorld, HAS_KEYRING } from "./support/world";
import { startSecondKeyring } from "./support/keyring";

const world = testWorld("check");

type Props = Parameters<typeof Command>[0];

/** Launch props as Raycast passes them, with the launch context other commands send. */
function props(launchContext?: { fromLocalStorage: boolean }): Props {
  return launchProps(launchContext ? { launchContext } : {}) as unknown as Props;
}

function background() {
  setEnvironment({ launchType: LaunchType.Background });
}

function subtitles(): (string | null | undefined)[] {
  return raycast.metadata.map((metadata) => metadata.subtitle);
}

/** A time as the subtitle names one on the same day, in this machine's time zone ("09:14"), from Intl directly. */
function clockTime(iso: string | number): string {
  return new Date(iso).toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** When the remembered check (`last-check`, or `last-conclusive-check`) was made, as the subtitle says it. */
function checkedAt(name = "last-check"): string {
  return clockTime((JSON.parse(raycast.localStorage[name] as string) as { checkedAt: string }).checkedAt);
}

/** Writes raw text as the saved entry, as a damaged or newer-version entry would be. */
async function writeEntry(text: string): Promise<void> {
  await world.backend().set(world.service, ACCOUNT, LABEL, text);
}

describe.skipIf(!HAS_KEYRING)("Check API Key", () => {
  const cases: [keyof typeof ANSWER_OF, (keyId: string, at: string) => string][] = [
    ["valid", (id, at) => `Key ${id} valid, checked ${at}`],
    ["role-limited", (id, at) => `Key ${id} valid, small role (checked ${at})`],
    ["agreement-required", (id, at) => `Key ${id} valid, but an agreement needs accepting (checked ${at})`],
    ["rate-limited", (id, at) => `Key ${id} valid, checked ${at}`],
    ["rejected", (id, at) => `Apple rejected key ${id}: revoked? (checked ${at})`],
    ["server-error", (id, at) => `Key ${id}: not checked: Apple had an error, ${at}`],
  ];

  it.each(cases)("in the background, %s: one request, the subtitle, no HUD", async (outcome, subtitle) => {
    background();
    const key = world.key({ answer: ANSWER_OF[outcome] });
    await world.seed(key);
    await runNoView(Command, props());
    // A rejected team key is asked once more, as an individual key (a 401 explained).
    expect(world.apple.requests).toHaveLength(outcome === "rejected" ? 2 : 1);
    expect(subtitles()).toEqual([subtitle(key.keyId, checkedAt())]);
    expect(subtitles()[0]).toMatch(/\b\d\d:\d\d\b/);
    expect(subtitles()[0]).not.toMatch(/just now|ago/);
    expect(raycast.huds).toEqual([]);
    expect(raycast.toasts).toEqual([]);
    expect(JSON.parse(raycast.localStorage["last-check"] as string)).toMatchObject({ keyId: key.keyId, outcome });
  });

  it("run by the user: the same subtitle, and a HUD with Apple's answer", async () => {
    const key = world.key();
    await world.seed(key);
    await runNoView(Command, props());
    expect(subtitles()).toEqual([`Key ${key.keyId} valid, checked ${checkedAt()}`]);
    expect(raycast.huds).toEqual([`Key ${key.keyId} works: App Store Connect accepted it; nothing to do.`]);
  });

  it("run by the user with a rejected key: the HUD says what Apple said", async () => {
    const key = world.key({ answer: "revoked" });
    await world.seed(key);
    await runNoView(Command, props());
    expect(raycast.huds).toHaveLength(1);
    expect(raycast.huds[0]).toMatch(
      new RegExp(
        `^Apple rejected key ${key.keyId} \\(HTTP 401, asked as an individual key \\(no Issuer ID\\) too\\)\\. What that can mean, most likely first: \\(1\\) It was revoked`,
      ),
    );
  });

  it("no key: the subtitle says so, without asking Apple; the user sees the status sentence", async () => {
    await runNoView(Command, props());
    expect(world.apple.requests).toEqual([]);
    expect(subtitles()).toEqual(["No key"]);
    expect(raycast.huds).toEqual(["No, no ASC key configured."]);

    raycast.huds.length = 0;
    background();
    await runNoView(Command, props());
    expect(subtitles()).toEqual(["No key", "No key"]);
    expect(raycast.huds).toEqual([]);
  });

  it("offline after a valid check: the valid answer stays", async () => {
    background();
    const key = world.key();
    await world.seed(key);
    await runNoView(Command, props());
    const validAt = checkedAt();
    await world.goOffline();
    await runNoView(Command, props());
    // The valid answer, with the time it was given.
    expect(subtitles()).toEqual([
      `Key ${key.keyId} valid, checked ${validAt}`,
      `Key ${key.keyId} valid, checked ${validAt}`,
    ]);
    expect(checkedAt("last-conclusive-check")).toBe(validAt);
    expect(JSON.parse(raycast.localStorage["last-check"] as string)).toMatchObject({ outcome: "unreachable" });
  });

  it("offline with no earlier answer: says it could not check", async () => {
    background();
    const key = world.key();
    await world.seed(key);
    await world.goOffline();
    await runNoView(Command, props());
    expect(subtitles()).toEqual([`Key ${key.keyId}: not checked: offline, ${checkedAt()}`]);
  });

  it("a check of a replaced key does not speak for the new one", async () => {
    background();
    const old = world.key();
    await world.seed(old);
    await runNoView(Command, props());
    const key = world.key();
    // Registered elsewhere: the registration remembers the new key, then asks for a refresh.
    await rememberSavedKey(summarize(await world.seed(key)));
    await runNoView(Command, props({ fromLocalStorage: true }));
    expect(subtitles()[1]).toBe(`Key ${key.keyId}: not checked yet`);
  });

  it("the refresh from LocalStorage reads no Keychain and asks no Apple; before any look it says so", async () => {
    await world.realKeyring();
    background();
    await world.seed(world.key());
    await world.fakeSecretTool('echo "must not be called" >&2; exit 1');
    await runNoView(Command, props({ fromLocalStorage: true }));
    expect(subtitles()).toEqual(["Not checked yet"]);
    expect(world.apple.requests).toHaveLength(0);
  });

  it("launched with {fromLocalStorage: true} (after a registration or a check): no request to Apple, no HUD", async () => {
    const key = world.key();
    await world.seed(key);
    background();
    await runNoView(Command, props());
    expect(world.apple.requests).toHaveLength(1);

    world.apple.setBehaviour(key.keyId, "revoked"); // would change the answer, were Apple asked
    setEnvironment({ launchType: LaunchType.UserInitiated });
    await runNoView(Command, props({ fromLocalStorage: true }));
    expect(world.apple.requests).toHaveLength(1);
    const validAt = checkedAt();
    expect(subtitles()).toEqual([
      `Key ${key.keyId} valid, checked ${validAt}`,
      `Key ${key.keyId} valid, checked ${validAt}`,
    ]);
    expect(raycast.huds).toEqual([]);
  });

  it("a locked keyring: the subtitle says the Keychain could not be read, with the last answer and its time", async () => {
    await world.realKeyring();
    const key = world.key();
    await world.seed(key);
    background();
    await runNoView(Command, props());
    const validAt = checkedAt();
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');

    const before = Date.now();
    await runNoView(Command, props());
    const failedAt = [clockTime(before), clockTime(Date.now())];
    expect(subtitles()).toHaveLength(2);
    expect(
      failedAt.map((at) => `Couldn't read the Keychain at ${at}; last: Key ${key.keyId} valid, checked ${validAt}`),
    ).toContain(subtitles()[1]);
    expect(raycast.huds).toEqual([]);

    setEnvironment({ launchType: LaunchType.UserInitiated });
    await runNoView(Command, props());
    expect(subtitles()).toHaveLength(3);
    expect(subtitles()[2]).toMatch(
      new RegExp(`^Couldn't read the Keychain at \\d\\d:\\d\\d; last: Key ${key.keyId} valid, checked ${validAt}$`),
    );
    expect(raycast.huds).toEqual([LOCKED_MESSAGE]);
    expect(world.apple.requests).toHaveLength(1);
  });

  it("the keyring really locked: the subtitle and the HUD speak of the Keychain, never of no key", async () => {
    await world.realKeyring();
    const keyring = await startSecondKeyring();
    const undo = keyring.use();
    try {
      await world.seed(world.key());
      keyring.lock();
      setEnvironment({ launchType: LaunchType.UserInitiated });
      await runNoView(Command, props());
      expect(subtitles()).toHaveLength(1);
      expect(subtitles()[0]).toMatch(/^Couldn't read the Keychain at \d\d:\d\d$/);
      expect(raycast.huds).toEqual([LOCKED_MESSAGE]);
      expect(world.apple.requests).toHaveLength(0);
    } finally {
      undo();
      await keyring.stop();
    }
  });

  it("a Keychain failure keeps a rejection too, and says only that when nothing was ever checked", async () => {
    await world.realKeyring();
    background();
    const key = world.key({ answer: "revoked" });
    await world.seed(key);
    await world.fakeSecretTool("exit 3"); // secret-tool fails before any check
    await runNoView(Command, props());
    expect(subtitles()[0]).toMatch(/^Couldn't read the Keychain at \d\d:\d\d$/);

    world.restorePath();
    await runNoView(Command, props());
    const rejectedAt = checkedAt();
    await world.fakeSecretTool("exit 3");
    await runNoView(Command, props());
    expect(subtitles()[2]).toMatch(
      new RegExp(
        `^Couldn't read the Keychain at \\d\\d:\\d\\d; last: Apple rejected key ${key.keyId}: revoked\\? \\(checked ${rejectedAt}\\)$`,
      ),
    );
    // A refresh from LocalStorage (after a check elsewhere) reads no Keychain: it repeats the last answer.
    await runNoView(Command, props({ fromLocalStorage: true }));
    expect(subtitles()[3]).toBe(`Apple rejected key ${key.keyId}: revoked? (checked ${rejectedAt})`);
    expect(world.apple.requests).toHaveLength(2);
  });

  it.each([
    ["damaged (not JSON)", '{"version":1,"kind":"team"'],
    ["from a newer version", JSON.stringify({ version: 2, kind: "team", keyId: "ABC1234DEF" })],
  ])("a saved entry %s: the subtitle says it is unreadable, not the old answer", async (_name, text) => {
    const key = world.key();
    await world.seed(key);
    background();
    await runNoView(Command, props());
    expect(subtitles()).toEqual([`Key ${key.keyId} valid, checked ${checkedAt()}`]);
    await writeEntry(text);

    await runNoView(Command, props());
    expect(subtitles()[1]).toBe("Saved key entry unreadable: register again");
    expect(raycast.huds).toEqual([]);
    expect(world.apple.requests).toHaveLength(1);

    // A refresh from LocalStorage remembers what the check found, without reading the Keychain again.
    await runNoView(Command, props({ fromLocalStorage: true }));
    setEnvironment({ launchType: LaunchType.UserInitiated });
    await runNoView(Command, props());
    expect(subtitles().slice(2)).toEqual([
      "Saved key entry unreadable: register again",
      "Saved key entry unreadable: register again",
    ]);
    // The user who asked is told why, in the key model's words.
    expect(raycast.huds).toHaveLength(1);
    expect(raycast.huds[0]).toMatch(/^The saved LingCode key entry .*register the key again/);
    expect(world.apple.requests).toHaveLength(1);
  });
});

describe.skipIf(!HAS_KEYRING)("Check API Key and a retired key", () => {
  it("checks each retired key too (one request each), and the subtitle says when one still works", async () => {
    background();
    const current = world.key();
    const old = world.key();
    await world.seed(current);
    await retireKey(keyStore(), makeRecord({ keyId: old.keyId, savedAt: new Date().toISOString() }, old), "Acme");
    await runNoView(Command, props());
    expect(world.apple.requests.map((request) => request.keyId)).toEqual([current.keyId, old.keyId]);
    expect(subtitles()).toEqual([
      `Key ${current.keyId} valid, checked ${checkedAt()}; old key ${old.keyId} still works`,
    ]);
    // Rewritten from LocalStorage alone, the note stays.
    await runNoView(Command, props({ fromLocalStorage: true }));
    expect(subtitles()[1]).toMatch(new RegExp(`; old key ${old.keyId} still works$`));
    world.expectClean(raycast.localStorage);

    // Revoked at Apple: no longer said to work.
    world.apple.setBehaviour(old.keyId, "revoked");
    await runNoView(Command, props());
    expect(subtitles()[2]).toBe(`Key ${current.keyId} valid, checked ${checkedAt()}`);
  });

  it("sends nothing for a retired key when the key LingCode uses was not accepted", async () => {
    background();
    const current = world.key({ answer: "revoked" });
    const old = world.key();
    await world.seed(current);
    await retireKey(keyStore(), makeRecord({ keyId: old.keyId }, old), "Acme");
    await runNoView(Command, props());
    // The refusal of the key LingCode uses is explained (asked once more, as an individual key); nothing for the old key.
    expect(world.apple.requests.map((request) => request.keyId)).toEqual([current.keyId, current.keyId]);
  });
});
