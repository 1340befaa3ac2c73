/**
 * Check API Key (no-view, every 12 hours in the background and on demand), run as Raycast runs it, against the
 * private Secret Service `npm test` starts (this file's own service) and the local Apple stand-in. What it leaves
 * is the command's subtitle in root search (updateCommandMetadata).
 */
import { LaunchType } from "@raycast/api";
import { describe, expect, it } from "vitest";
import Command from "../src/check-api-key";
import { launchProps, raycast, runNoView, setEnvironment } from "./raycast/harness";
import { ANSWER_OF, commandWorld, HAS_KEYRING } from "./support/commands";

process.env.LINGCODE_KEYCHAIN_SERVICE = `LingCode-test-check-${process.pid}`;
const world = commandWorld();

type Props = Parameters<typeof Command>[0];

/** Launch props as Raycast passes them, with the launch context other commands send. */
function props(launchContext?: { fromMemory: boolean }): Props {
  return launchProps(launchContext ? { launchContext } : {}) as unknown as Props;
}

function background() {
  setEnvironment({ launchType: LaunchType.Background });
}

function subtitles(): (string | null | undefined)[] {
  return raycast.metadata.map((metadata) => metadata.subtitle);
}

describe.skipIf(!HAS_KEYRING)("Check API Key", () => {
  const cases: [keyof typeof ANSWER_OF, (keyId: string) => string][] = [
    ["valid", (id) => `Key ${id} valid, checked just now`],
    ["role-limited", (id) => `Key ${id} valid, small role (checked just now)`],
    ["agreement-required", (id) => `Key ${id} valid, but an agreement needs accepting (checked just now)`],
    ["rate-limited", (id) => `Key ${id} valid, checked just now`],
    ["rejected", (id) => `Apple rejected key ${id}: revoked? (checked just now)`],
    ["server-error", (id) => `Key ${id}: not checked: Apple had an error, just now`],
  ];

  it.each(cases)("in the background, %s: one request, the subtitle, no HUD", async (outcome, subtitle) => {
    background();
    const key = world.key({ answer: ANSWER_OF[outcome] });
    await world.seed(key);
    await runNoView(Command, props());
    expect(world.apple.requests).toHaveLength(1);
    expect(subtitles()).toEqual([subtitle(key.keyId)]);
    expect(raycast.huds).toEqual([]);
    expect(raycast.toasts).toEqual([]);
    expect(JSON.parse(raycast.localStorage["last-check"] as string)).toMatchObject({ keyId: key.keyId, outcome });
  });

  it("run by the user: the same subtitle, and a HUD with Apple's answer", async () => {
    const key = world.key();
    await world.seed(key);
    await runNoView(Command, props());
    expect(subtitles()).toEqual([`Key ${key.keyId} valid, checked just now`]);
    expect(raycast.huds).toEqual([`Key ${key.keyId} works: App Store Connect accepted it; nothing to do.`]);
  });

  it("run by the user with a rejected key: the HUD says what Apple said", async () => {
    const key = world.key({ answer: "revoked" });
    await world.seed(key);
    await runNoView(Command, props());
    expect(raycast.huds).toHaveLength(1);
    expect(raycast.huds[0]).toMatch(new RegExp(`^Apple rejected key ${key.keyId}: it was revoked`));
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
    await world.goOffline();
    await runNoView(Command, props());
    expect(subtitles()).toEqual([
      `Key ${key.keyId} valid, checked just now`,
      `Key ${key.keyId} valid, checked just now`,
    ]);
    expect(JSON.parse(raycast.localStorage["last-check"] as string)).toMatchObject({ outcome: "unreachable" });
  });

  it("offline with no earlier answer: says it could not check", async () => {
    background();
    const key = world.key();
    await world.seed(key);
    await world.goOffline();
    await runNoView(Command, props());
    expect(subtitles()).toEqual([`Key ${key.keyId}: not checked: offline, just now`]);
  });

  it("a check of a replaced key does not speak for the new one", async () => {
    background();
    const old = world.key();
    await world.seed(old);
    await runNoView(Command, props());
    const key = world.key();
    await world.seed(key);
    await runNoView(Command, props({ fromMemory: true }));
    expect(subtitles()[1]).toBe(`Key ${key.keyId}: not checked yet`);
  });

  it("launched with {fromMemory: true} (after a registration or a check): no request to Apple, no HUD", async () => {
    const key = world.key();
    await world.seed(key);
    background();
    await runNoView(Command, props());
    expect(world.apple.requests).toHaveLength(1);

    world.apple.setBehaviour(key.keyId, "revoked"); // would change the answer, were Apple asked
    setEnvironment({ launchType: LaunchType.UserInitiated });
    await runNoView(Command, props({ fromMemory: true }));
    expect(world.apple.requests).toHaveLength(1);
    expect(subtitles()).toEqual([
      `Key ${key.keyId} valid, checked just now`,
      `Key ${key.keyId} valid, checked just now`,
    ]);
    expect(raycast.huds).toEqual([]);
  });

  it("a locked keyring: the last answer stays; the user is told why, the background run is quiet", async () => {
    const key = world.key();
    await world.seed(key);
    background();
    await runNoView(Command, props());
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');

    await runNoView(Command, props());
    expect(subtitles()).toHaveLength(1);
    expect(raycast.huds).toEqual([]);

    setEnvironment({ launchType: LaunchType.UserInitiated });
    await runNoView(Command, props());
    expect(subtitles()).toHaveLength(1);
    expect(raycast.huds).toEqual(["The keyring is locked and could not be unlocked."]);
    expect(world.apple.requests).toHaveLength(1);
  });
});
