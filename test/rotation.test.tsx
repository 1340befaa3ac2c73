/**
 * Rotation end to end through the Raycast double, against the private keyring and the Apple stand-in:
 * API Key Status with an aging key A → Rotate Key… (Team Keys, then the form) → key B from a new file →
 * confirm the replacement → saved and verified → "Previous Key to Revoke A" until dismissed.
 */
import { describe, expect, it } from "vitest";
import Command from "../src/api-key-status";
import { TEAM_KEYS_URL, outcomeSentence } from "../src/lib/apple";
import { keyFingerprint } from "../src/lib/key";
import { answerNextAlert, raycast, render, setPreferences, type Screen } from "./raycast/harness";
import { ISSUER_ID, ISSUER_SUFFIX, HAS_KEYRING, testWorld, type WorldKey } from "./support/world";

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY - 60_000).toISOString();
const sentence = (keyId: string) => `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${keyId}`;

describe.skipIf(!HAS_KEYRING)("rotating the key from API Key Status", () => {
  const world = testWorld("tools-rotation");
  // The form looks for AuthKey_*.p8 in ~/Downloads: the world's HOME has an empty one, never the real one.

  async function openStatus(): Promise<Screen> {
    const screen = await render(<Command />);
    await screen.waitFor(() => !screen.isLoading, { timeout: 5000 });
    return screen;
  }

  /** Rotate Key… on the status screen, then the form filled with key B from its own file. */
  async function rotateTo(screen: Screen, key: WorldKey): Promise<string> {
    const file = await world.writeP8(key);
    await screen.runAction("Rotate Key…");
    expect(screen.depth).toBe(2);
    expect(screen.navigationTitle).toBe("Rotate Key");
    await screen.waitFor(() => !screen.isLoading);
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.form.setValue("p8", [file]);
    await screen.waitFor(() => !screen.isLoading);
    // The Key ID comes from the file name, as Apple names the download.
    expect(screen.form.field("keyId").value).toBe(key.keyId);
    expect(screen.form.field("verify").value).toBe(true);
    return file;
  }

  it("A → B: Team Keys, the form, the replacement confirmed, B verified, A kept as a retired key until forgotten", async () => {
    const a = world.key();
    await world.seed(a, { savedAt: daysAgo(200) });
    const b = world.key();

    // Key A, 200 days old: its age, and a reminder under the default "Suggest Rotation After" (180 days).
    const screen = await openStatus();
    expect(screen.markdown).toMatch(new RegExp(`^# ${sentence(a.keyId).replace(/\./g, "\\.")}`));
    expect(screen.metadata()).toMatchObject({ "Key ID": a.keyId, Age: "200 days" });
    expect(screen.markdown).toContain("This key is 200 days old; consider rotating it (Rotate Key…).");
    expect(screen.actionTitles()).toContain("Rotate Key…");
    expect(screen.actionTitles().some((title) => title.startsWith("Dismiss Reminder"))).toBe(false);

    // Rotate Key… opens Team Keys (to create B there) and then the register form.
    await rotateTo(screen, b);
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
    expect(world.apple.requests).toHaveLength(0);

    // Submitting asks to replace A, naming both keys.
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    expect(raycast.alerts).toHaveLength(1);
    expect(raycast.alerts[0].title).toBe(`Rotate Key ${a.keyId}?`);
    expect(raycast.alerts[0].message).toContain(`Key ${b.keyId} takes its name and place`);
    expect(raycast.alerts[0].message).toContain(
      `"Unnamed key" (Key ID ${a.keyId}) keeps working at Apple until you revoke it on Team Keys.`,
    );
    expect(raycast.alerts[0].primaryAction).toMatchObject({ title: "Rotate", style: "destructive" });

    // Checked with Apple, saved, and back on the status screen.
    await screen.waitFor(() => screen.depth === 1, { timeout: 5000 });
    await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(b.keyId), { timeout: 5000 });
    // The check, then the privilege probe (Users and Access) after its valid answer.
    expect(world.apple.requests.map((r) => [r.keyId, r.status])).toEqual([
      [b.keyId, 200],
      [b.keyId, 200],
    ]);
    const saved = await world.saved();
    expect(saved).toMatchObject({ keyId: b.keyId, issuerId: ISSUER_ID, kind: "team" });
    expect(keyFingerprint(saved!.privateKey)).toBe(keyFingerprint(b.pem));
    const toast = raycast.toast!;
    expect(toast.history.map((state) => state.style)).toContain("ANIMATED");
    expect(toast).toMatchObject({
      style: "SUCCESS",
      title: sentence(b.keyId),
      primaryAction: `Revoke ${a.keyId} on Team Keys`,
    });
    expect(raycast.launches).toContainEqual(
      expect.objectContaining({ name: "check-api-key", context: { fromLocalStorage: true } }),
    );

    // The status: B, verified, new (no age reminder), and A kept as a retired key, not proven revoked yet.
    const row = `Previous Key ${a.keyId}`;
    await screen.waitFor(() => expect(screen.metadata()[row]).toBe("Not Proven Revoked"));
    expect(screen.metadata()["Previous Key to Revoke"]).toBeUndefined();
    expect(screen.markdown).toMatch(new RegExp(`^# ${sentence(b.keyId).replace(/\./g, "\\.")}`));
    // The step that ends the rotation, then what proves it.
    expect(screen.markdown).toContain(
      `> **Revoke key ${a.keyId} on Team Keys.** Key ${a.keyId} not proven revoked yet`,
    );
    expect(screen.markdown).toContain(outcomeSentence("valid", { keyId: b.keyId }));
    expect(screen.markdown).not.toContain("consider rotating");
    expect(screen.metadata()).toMatchObject({ Age: "Less than a day", "Last Check": "valid" });
    expect(screen.actionTitles()).toEqual(
      expect.arrayContaining(["Open Team Keys", `Open Team Keys to Revoke ${a.keyId}`, `Check Key ${a.keyId} Again`]),
    );

    // Open Team Keys, to revoke A there.
    await screen.runAction("Open Team Keys");
    expect(raycast.opened).toEqual([TEAM_KEYS_URL, TEAM_KEYS_URL]);

    // The live state survives closing and reopening the command...
    await screen.unmount();
    const again = await openStatus();
    await again.waitFor(() => expect(again.metadata()[row]).toBe("Not Proven Revoked"));

    // ...until A is forgotten without proof (confirmed): gone from the view, the actions and LocalStorage.
    answerNextAlert(true);
    await again.runAction(`Forget Key ${a.keyId} Without Proof…`);
    await again.waitFor(() => again.metadata()[row] === undefined);
    expect(again.metadata()["Previous Key to Revoke"]).toBeUndefined();
    expect(again.actionTitles().some((title) => title.includes(a.keyId))).toBe(false);
    expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
    expect(again.metadata()["Key ID"]).toBe(b.keyId);

    // Nothing secret reached anything Raycast shows or keeps.
    world.expectClean([raycast.toasts.map((x) => x.history), raycast.alerts, raycast.localStorage, again.text()]);
  });

  it("after a rotation the status says the step first, the same before and after the retired keys are read", async () => {
    const a = world.key();
    await world.seed(a);
    const b = world.key();
    const step = `Revoke key ${a.keyId} on Team Keys.`;
    const proof = `Key ${a.keyId} not proven revoked yet: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.`;
    const headline = `# ${sentence(b.keyId)}\n\n> **${step}**`;

    const screen = await openStatus();
    await rotateTo(screen, b);
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"), { timeout: 5000 });
    // The toast: the step, then what proves it, before anything else; its action opens Team Keys.
    expect(raycast.toast?.message?.startsWith(`${step} ${proof} Fingerprint `)).toBe(true);
    expect(raycast.toast?.primaryAction).toBe(`Revoke ${a.keyId} on Team Keys`);
    // Settled in place: the step right under the headline, the proof after it, said once.
    await screen.waitFor(() => expect(screen.markdown).toContain(proof), { timeout: 5000 });
    expect(screen.markdown?.startsWith(`${headline} ${proof}`)).toBe(true);
    expect(screen.markdown?.split(proof)).toHaveLength(2);
    await screen.unmount();

    // Opened again with the retired keys' list held back: the first render already says the step...
    const backend = world.backend();
    const get = backend.get;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    backend.get = async (service, account) => {
      if (account === "retired") await held;
      return get.call(backend, service, account);
    };
    try {
      const again = await render(<Command />);
      await again.waitFor(() => expect(again.markdown).toContain(step));
      const before = again.markdown ?? "";
      const beforeRow = again.metadata()[`Previous Key ${a.keyId}`];
      expect(before).not.toContain("not proven revoked yet");
      expect(before.startsWith(headline)).toBe(true);
      // ...and once the list is read, the same step stays first, with the proof added after it.
      release();
      await again.waitFor(() => !again.isLoading && again.markdown?.includes(proof) === true);
      const after = again.markdown ?? "";
      expect(after.startsWith(`${headline} ${proof}`)).toBe(true);
      expect(after).not.toContain("Previous Key to Revoke");
      expect([beforeRow, again.metadata()[`Previous Key ${a.keyId}`]]).toEqual([
        "Not Proven Revoked",
        "Not Proven Revoked",
      ]);
      // Open Team Keys, where it is revoked, one keystroke away.
      const open = again.actions().find((action) => action.title === "Open Team Keys");
      expect(open?.shortcut).toEqual({ modifiers: ["cmd"], key: "o" });
      await again.runAction("Open Team Keys");
      expect(raycast.opened.at(-1)).toBe(TEAM_KEYS_URL);
    } finally {
      release();
      backend.get = get;
    }
  });

  it("declining the replacement keeps A, with no reminder to revoke anything", async () => {
    const a = world.key();
    const before = await world.seed(a);
    const b = world.key();
    const screen = await openStatus();
    await rotateTo(screen, b);
    answerNextAlert(false);
    await screen.runAction("Register API Key");
    expect(raycast.alerts.map((alert) => alert.answer)).toEqual([false]);
    expect(screen.depth).toBe(2);
    expect(world.apple.requests).toHaveLength(0);
    expect(await world.saved()).toEqual(before);
    expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");

    await screen.pop();
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.metadata()["Key ID"]).toBe(a.keyId);
    expect(screen.metadata()["Previous Key to Revoke"]).toBeUndefined();
  });

  it("Apple rejects B: nothing saved, A stays, the form stays open, no reminder", async () => {
    const a = world.key();
    const before = await world.seed(a);
    const b = world.key({ answer: "revoked" });
    const screen = await openStatus();
    await rotateTo(screen, b);
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("FAILURE"));
    expect(raycast.toast).toMatchObject({
      title: "Apple Rejected the Key: Nothing Saved",
      // Explained: asked once more as an individual key, then what Apple's 401 can mean.
      message: expect.stringMatching(
        new RegExp(`^Apple rejected key ${b.keyId} \\(HTTP 401, asked as an individual key`),
      ),
      primaryAction: "Open Team Keys",
    });
    expect(screen.depth).toBe(2);
    expect(await world.saved()).toEqual(before);
    expect(raycast.localStorage).not.toHaveProperty("key-to-revoke");
  });

  it.each([
    ["180", 179, false],
    ["180", 180, true],
    ["90", 120, true],
    ["0", 1000, false],
  ])(
    '"Suggest Rotation After" %s days, key %i days old: reminder %s; the age shows either way',
    async (days, age, reminded) => {
      setPreferences({ rotateAfterDays: days });
      const a = world.key();
      await world.seed(a, { savedAt: daysAgo(age) });
      const screen = await openStatus();
      expect(screen.metadata().Age).toBe(`${age} days`);
      const ageRow = screen.metadataEntries().find(([label]) => label === "Age");
      expect(ageRow).toBeDefined();
      if (reminded) {
        expect(screen.markdown).toContain(`This key is ${age} days old; consider rotating it (Rotate Key…).`);
      } else {
        expect(screen.markdown).not.toContain("consider rotating");
      }
      expect(screen.actionTitles()).toContain("Rotate Key…");
    },
  );
});
