/**
 * API Key Status, driven like a user through the @raycast/api double, against the real core: the private
 * Secret Service `npm test` starts (this file's own service) and the local Apple stand-in.
 */
import { Icon } from "@raycast/api";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import Command from "../src/api-key-status";
import { outcomeSentence, TEAM_KEYS_URL, OUTCOME } from "../src/lib/apple";
import { roleWords } from "../src/lib/apple/roles";
import { keyStore } from "../src/helpers/core";
import { registerKey } from "../src/lib/keys";
import { keyFingerprint } from "../src/lib/key";
import { ACCOUNT, LABEL } from "../src/lib/keychain";
import { LOCKED_MESSAGE } from "../src/lib/keychain/linux";
import { answerNextAlert, raycast, render, setPreferences, type Screen } from "./raycast/harness";
import { startSecondKeyring } from "./support/keyring";
import { ANSWER_OF, testWorld, decodeJwt, HAS_KEYRING, ISSUER_ID, shownTexts, toastTitles } from "./support/world";

const world = testWorld("status");

const LOCKED = 'echo "Cannot get secret of a locked object" >&2; exit 1';
const DAY = 86_400_000;

async function openStatus(): Promise<Screen> {
  const screen = await render(<Command />);
  await settled(screen);
  return screen;
}

async function settled(screen: Screen) {
  await screen.waitFor(() => !screen.isLoading && (raycast.toast === undefined || raycast.toast.style !== "ANIMATED"));
}

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function teamSentence(keyId: string) {
  return `Yes, Issuer ID ends in ...b6c, Key ID ${keyId}`;
}

describe.skipIf(!HAS_KEYRING)("API Key Status", () => {
  describe("without a key", () => {
    it("says so, with Register API Key as the primary action", async () => {
      const screen = await openStatus();
      expect(screen.navigationTitle).toBe("API Key Status");
      expect(screen.markdown).toMatch(/^# No, no ASC key configured\.\n\n/);
      expect(screen.markdown).toContain("**App Manager**");
      expect(screen.metadataEntries()).toEqual([]);
      expect(screen.actionTitles()).toEqual(["Register API Key", "Open Team Keys", "Refresh"]);
      expect(screen.actions()[0]).toMatchObject({ kind: "Action.Push", icon: "Key" });
      expect(raycast.toasts).toEqual([]);
    });

    it("Register API Key opens the form; once saved it closes and the status shows the key", async () => {
      const key = world.key();
      const file = await world.writeP8(key);
      const screen = await openStatus();
      await screen.runAction("Register API Key");
      expect(screen.depth).toBe(2);
      expect(screen.view?.type).toBe("Form");
      await screen.waitFor(() => !screen.isLoading);
      await screen.form.setValue("issuerId", ISSUER_ID);
      await screen.form.setValue("p8", [file]);
      await screen.waitFor(() => !screen.isLoading);
      await screen.runAction("Register API Key");
      await screen.waitFor(() => screen.depth === 1);
      await settled(screen);
      await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(key.keyId));
      expect(screen.markdown).toMatch(new RegExp(`^# ${teamSentence(key.keyId).replace(/\./g, "\\.")}\n`));
      expect(screen.metadata()["Last Check"]).toBe("valid");
    });
  });

  describe("with a key", () => {
    it("the sentence as headline and the masked metadata; the full Issuer ID nowhere", async () => {
      const key = world.key();
      const record = await world.seed(key);
      const screen = await openStatus();

      expect(screen.markdown).toMatch(
        new RegExp(
          `^# ${escape(teamSentence(key.keyId))}\n\nNot checked with Apple yet: Verify with Apple sends one request\\.\n\n## What This Key Can Do\n\nNot checked yet`,
        ),
      );
      await screen.waitFor(() => expect(screen.markdown).toContain("## Health"));
      expect(screen.markdown).toContain("- ✓ No copy of the saved key's .p8 file in the usual folders.");
      const entries = screen.metadataEntries();
      expect(entries.map(([label]) => label)).toEqual([
        "Key Type",
        "Issuer ID",
        "Key ID",
        "Fingerprint",
        "Saved",
        "Age",
        "Last Check",
      ]);
      expect(screen.metadata()).toMatchObject({
        "Key Type": "Team",
        "Issuer ID": "...b6c",
        "Key ID": key.keyId,
        Fingerprint: keyFingerprint(key.pem),
        Age: "Less than a day",
        "Last Check": "Never",
      });
      expect(screen.metadata().Saved).toBe(
        new Date().toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" }),
      );
      expect(screen.metadata().Saved).toContain(String(new Date(record.savedAt).getFullYear()));
      expect(screen.text()).not.toContain(ISSUER_ID);
      expect(screen.text()).not.toContain(ISSUER_ID.slice(0, 8));
    });

    it("an individual key: no Issuer ID row", async () => {
      const key = world.key({ kind: "individual" });
      await world.seed(key);
      const screen = await openStatus();
      expect(screen.markdown).toMatch(new RegExp(`^# Yes, individual key, Key ID ${key.keyId}\n`));
      expect(screen.metadata()["Key Type"]).toBe("Individual");
      expect(screen.metadata()["Issuer ID"]).toBeUndefined();
    });

    it("the actions, with icons and Raycast's common shortcuts; Verify with Apple first", async () => {
      await world.seed(world.key());
      const screen = await openStatus();
      expect(screen.actionTitles()).toEqual([
        "Verify with Apple",
        "Check What the Key Can Do",
        "Record Role from Team Keys",
        "Copy Token",
        "Copy Key ID",
        "Copy Fingerprint",
        "Add to CI Secrets…",
        "Rotate Key…",
        "Replace Key…",
        "Show All API Keys",
        "Open Team Keys",
        "Remove Key…",
        "Refresh",
      ]);
      const actions = Object.fromEntries(screen.actions().map((action) => [action.title, action]));
      for (const action of screen.actions()) expect(action.icon, action.title).toBeTruthy();
      expect(actions["Copy Key ID"].shortcut).toEqual({ modifiers: ["cmd", "shift"], key: "c" });
      expect(actions["Replace Key…"].shortcut).toEqual({ modifiers: ["cmd"], key: "e" });
      expect(actions["Open Team Keys"].shortcut).toEqual({ modifiers: ["cmd"], key: "o" });
      expect(actions["Remove Key…"]).toMatchObject({
        style: "destructive",
        shortcut: { modifiers: ["ctrl"], key: "x" },
      });
      expect(actions.Refresh.shortcut).toEqual({ modifiers: ["cmd"], key: "r" });
    });

    it("Open Team Keys opens the page; Rotate Key… opens it and the form", async () => {
      await world.seed(world.key());
      const screen = await openStatus();
      await screen.runAction("Open Team Keys");
      expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
      await screen.runAction("Rotate Key…");
      expect(raycast.opened).toEqual([TEAM_KEYS_URL, TEAM_KEYS_URL]);
      expect(screen.depth).toBe(2);
      expect(screen.navigationTitle).toBe("Rotate Key");
    });

    it("Refresh reads the Keychain again (another program replaced the key)", async () => {
      await world.seed(world.key());
      const screen = await openStatus();
      const other = world.key();
      await world.seed(other);
      await screen.runAction("Refresh");
      await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(other.keyId));
    });
  });

  describe("Verify with Apple", () => {
    const cases = [
      ["valid", "SUCCESS", "Key Works"],
      ["role-limited", "SUCCESS", "Key Works, Small Role"],
      ["agreement-required", "SUCCESS", "Key Fine, Agreement Needed"],
      ["rate-limited", "SUCCESS", "Key Works, Rate-Limited"],
      ["rejected", "FAILURE", "Apple Rejected the Key"],
      ["server-error", "FAILURE", "Apple Had an Error"],
    ] as const;

    it.each(cases)(
      "%s: one request, one toast (%s, %s), and the last check shown after",
      async (outcome, style, title) => {
        const key = world.key({ answer: ANSWER_OF[outcome] });
        await world.seed(key);
        const screen = await openStatus();
        await screen.runAction("Verify with Apple");
        await settled(screen);

        // A rejected team key is asked once more, as an individual key (a 401 explained).
        expect(world.apple.requests).toHaveLength(outcome === "rejected" ? 2 : 1);
        expect(raycast.toasts).toHaveLength(1);
        expect(toastTitles(raycast.toast)).toEqual([`Checking Key ${key.keyId} with Apple…`, title]);
        expect(raycast.toast!.style).toBe(style);
        if (outcome === "rejected") {
          // The 401 explained: what it can mean, most likely first.
          expect(raycast.toast!.message).toMatch(
            new RegExp(`^Apple rejected key ${key.keyId} \\(HTTP 401.*most likely first`),
          );
        } else if (outcome !== "server-error") {
          expect(raycast.toast!.message).toBe(outcomeSentence(outcome, { keyId: key.keyId, kind: "team" }));
        }
        expect(raycast.toast!.primaryAction).toBe(outcome === "rejected" ? "Open Team Keys" : undefined);
        expect(raycast.launches).toEqual([
          { name: "check-api-key", type: "background", context: { fromLocalStorage: true } },
        ]);

        await screen.waitFor(() => expect(screen.metadata()["Last Check"]).toBe(OUTCOME[outcome].label));
        expect(screen.metadata().Checked).toBe("just now");
        // Apple's answer is said once on the screen: in Health (the metadata gives its time).
        await screen.waitFor(() => expect(screen.markdown).toContain("## Health"));
        // (An agreement has Health's own words, with what to do.)
        const times = outcome === "agreement-required" ? 0 : 1;
        expect(screen.markdown!.split(raycast.toast!.message!).length - 1).toBe(times);
        const left = { valid: "3599 of 3600", "role-limited": "3599 of 3600", "rate-limited": "0 of 3600" } as Record<
          string,
          string
        >;
        if (left[outcome]) expect(screen.metadata()["Requests Left This Hour"]).toBe(left[outcome]);
        if (outcome === "rejected") {
          await raycast.toast!.runPrimaryAction();
          expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
        }
      },
    );

    it("reads the Keychain once, to sign the request; the status then shows the key it checked", async () => {
      await world.realKeyring();
      const key = world.key();
      await world.seed(key);
      const screen = await openStatus();
      const log = path.join(await world.dir(), "secret-tool.log");
      await world.fakeSecretTool(`echo "$*" >> '${log}'; exec "$REAL" "$@"`);
      // The secret read is LingCode's entry; Refresh also reads the list of retired keys beside the saved keys.
      const calls = () => readFileSync(log, "utf8").trim().split("\n");
      const entryReads = () => calls().filter((call) => call.endsWith("account asc-api-key"));
      await screen.runAction("Verify with Apple");
      await settled(screen);
      await screen.waitFor(() => expect(screen.metadata()["Last Check"]).toBe("valid"));
      // Time for a second read to start, had one been asked for.
      const until = Date.now() + 300;
      await screen.waitFor(() => Date.now() >= until);
      await settled(screen);
      expect(calls()).toHaveLength(1);
      expect(entryReads()).toHaveLength(1);
      expect(world.apple.requests).toHaveLength(1);
      expect(screen.metadata()["Key ID"]).toBe(key.keyId);
      expect(screen.markdown).toMatch(new RegExp(`^# ${teamSentence(key.keyId).replace(/\./g, "\\.")}\n`));

      // Refresh reads LingCode's entry once more.
      await screen.runAction("Refresh");
      await settled(screen);
      for (const call of calls()) expect(call).toMatch(/ account (asc-api-key|retired)$/);
      expect(entryReads()).toHaveLength(2);
    });

    it("offline: the toast says Apple could not be reached; the last check says so, without a quota", async () => {
      const key = world.key();
      await world.seed(key);
      const screen = await openStatus();
      await world.goOffline();
      await screen.runAction("Verify with Apple");
      await settled(screen);
      expect(raycast.toast).toMatchObject({ style: "FAILURE", title: "Couldn't Reach Apple" });
      expect(raycast.toast!.message).toMatch(/^Could not reach App Store Connect at 127\.0\.0\.1:\d+/);
      await screen.waitFor(() => expect(screen.metadata()["Last Check"]).toBe("not checked: offline"));
      expect(screen.metadata()["Requests Left This Hour"]).toBeUndefined();
    });
  });

  it("Copy Token: a concealed 10-minute token Apple accepts", async () => {
    const key = world.key();
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Copy Token");

    expect(raycast.clipboard).toHaveLength(1);
    const copied = raycast.clipboard[0];
    expect(copied.concealed).toBe(true);
    expect(copied.options).toEqual({ concealed: true });
    expect(raycast.huds).toHaveLength(1);
    expect(raycast.huds[0]).toMatch(new RegExp(`^Copied a token for key ${key.keyId}, valid until \\S`));

    const { header, claims } = decodeJwt(copied.text);
    expect(header).toEqual({ alg: "ES256", kid: key.keyId, typ: "JWT" });
    expect(claims).toMatchObject({ iss: ISSUER_ID, aud: "appstoreconnect-v1" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect(claims.iat as number).toBeLessThanOrEqual(Date.now() / 1000);

    const answer = await fetch(`${world.apple.url}/v1/apps?limit=1`, {
      headers: { Authorization: `Bearer ${copied.text}` },
    });
    expect(answer.status).toBe(200);
    expect(world.apple.requests.map((r) => [r.keyId, r.status, r.reason])).toEqual([[key.keyId, 200, undefined]]);
  });

  it("Copy Key ID copies it as plain text", async () => {
    const key = world.key();
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Copy Key ID");
    expect(raycast.clipboard.map((c) => [c.text, c.concealed])).toEqual([[key.keyId, false]]);
    expect(raycast.huds).toEqual(["Copied to Clipboard"]);
  });

  it("Remove Key… with another key saved asks which key LingCode uses next, then removes it", async () => {
    const [acme, globex] = [world.key(), world.key()];
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: acme.keyId, p8Text: acme.pem },
      { store: keyStore(), verify: false, name: "Acme" },
    );
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: globex.keyId, p8Text: globex.pem },
      { store: keyStore(), verify: false, name: "Globex", use: false },
    );
    const screen = await openStatus();
    await screen.runAction("Remove Key…");
    expect(screen.navigationTitle).toBe('Remove "Acme"');
    expect(screen.form.values()).toEqual({ next: globex.keyId });
    answerNextAlert(true);
    await screen.runAction("Remove Key");
    await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(globex.keyId));
    expect(screen.depth).toBe(1);
    expect(raycast.toast).toMatchObject({
      style: "SUCCESS",
      message: `LingCode now uses "Globex" (Issuer ID ends in ...${ISSUER_ID.slice(-3)}, Key ID ${globex.keyId}).`,
    });
    expect(await world.saved()).toMatchObject({ keyId: globex.keyId });
  });

  it("Remove Key… asks first: no keeps the key; yes removes it and the status becomes the empty state", async () => {
    const key = world.key();
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Verify with Apple");
    await settled(screen);
    expect(raycast.localStorage["last-check"]).toBeDefined();

    answerNextAlert(false);
    await screen.runAction("Remove Key…");
    expect(raycast.alerts[0]).toMatchObject({
      title: `Remove Key ${key.keyId}?`,
      primaryAction: { title: "Remove", style: "destructive" },
      answer: false,
    });
    expect(raycast.alerts[0].message).toContain("keeps working at Apple until you revoke it on Team Keys");
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
    expect(raycast.toasts).toHaveLength(1); // the verify toast only
    expect(screen.metadata()["Key ID"]).toBe(key.keyId);

    answerNextAlert(true);
    await screen.runAction("Remove Key…");
    await settled(screen);
    expect(await world.saved()).toBeUndefined();
    expect(raycast.toasts).toHaveLength(2);
    expect(toastTitles(raycast.toast)).toEqual([
      `Removing Key ${key.keyId}…`,
      `Removed Key ${key.keyId} From the Keychain`,
    ]);
    expect(raycast.toast).toMatchObject({
      style: "SUCCESS",
      message: `Revoke ${key.keyId} on Team Keys if nobody needs it.`,
      primaryAction: "Open Team Keys",
    });
    expect(raycast.localStorage["last-check"]).toBeUndefined();
    expect(raycast.localStorage["last-conclusive-check"]).toBeUndefined();
    await screen.waitFor(() => expect(screen.markdown).toMatch(/^# No, no ASC key configured\./));
    expect(screen.metadataEntries()).toEqual([]);
    expect(screen.actionTitles()[0]).toBe("Register API Key");
  });

  describe("a Keychain that cannot be read", () => {
    it("locked: the view says why, with Retry first; Retry after unlocking shows the key", async () => {
      await world.realKeyring();
      const key = world.key();
      await world.seed(key);
      await world.fakeSecretTool(LOCKED);
      const screen = await openStatus();
      expect(screen.markdown).toBe(`# The Keychain Could Not Be Read\n\n${LOCKED_MESSAGE}`);
      expect(screen.actionTitles()).toEqual(["Retry", "Open Team Keys"]);
      expect(screen.metadataEntries()).toEqual([]);
      expect(raycast.toasts).toEqual([]);

      world.restorePath();
      await screen.runAction("Retry");
      await settled(screen);
      await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(key.keyId));
      expect(screen.markdown).toMatch(/^# Yes, Issuer ID ends in \.\.\.b6c/);
      expect(screen.actionTitles()[0]).toBe("Verify with Apple");
    });

    it('the keyring really locked: a Keychain problem saying what to do, never "no key" or Register', async () => {
      await world.realKeyring();
      const keyring = await startSecondKeyring();
      const undo = keyring.use();
      try {
        await world.seed(world.key());
        keyring.lock();
        const screen = await openStatus();
        expect(screen.markdown).toBe(`# The Keychain Could Not Be Read\n\n${LOCKED_MESSAGE}`);
        expect(screen.actionTitles()).toEqual(["Retry", "Open Team Keys"]);
        expect(screen.metadataEntries()).toEqual([]);
        expect(raycast.toasts).toEqual([]);
      } finally {
        undo();
        await keyring.stop();
      }
    });

    it("secret-tool missing: the view says what to install", async () => {
      await world.realKeyring();
      await world.hideSecretTool();
      const screen = await openStatus();
      expect(screen.markdown).toBe(
        "# The Keychain Could Not Be Read\n\nsecret-tool was not found; install libsecret-tools (apt-get install libsecret-tools).",
      );
      expect(screen.actions()[0].title).toBe("Retry");
    });

    it("failing after a good read: the last known key stays, with Retry first", async () => {
      await world.realKeyring();
      const key = world.key();
      await world.seed(key);
      const first = await openStatus();
      await first.unmount();
      await world.fakeSecretTool('echo "something else went wrong" >&2; exit 3');

      const screen = await openStatus();
      expect(screen.markdown).toBe(
        `# The Keychain Could Not Be Read\n\nCould not read the keyring item: secret-tool exited with status 3.\n\nLast known: ${teamSentence(key.keyId)}`,
      );
      expect(screen.actionTitles()[0]).toBe("Retry");
      expect(screen.actionTitles()).toContain("Verify with Apple");
    });
  });

  describe("an entry that can't be used", () => {
    it("corrupt: says so (the read worked), offers to register a replacement first, and removes it on request", async () => {
      const key = world.key();
      await world.seed(key);
      await openStatus().then((first) => first.unmount()); // the cache now holds the good key
      const service = world.service;
      await world.backend().set(service, ACCOUNT, LABEL, '{"version":1,"kind":"team"');

      const screen = await openStatus();
      expect(screen.markdown).toMatch(/^# The Saved Key Entry Is Unreadable\n\n.*not JSON/);
      expect(screen.markdown).toContain("Register the key again to replace the entry, or remove it.");
      // The cached key is not shown as if it were still there.
      expect(screen.metadataEntries()).toEqual([]);
      expect(screen.actionTitles()).toEqual([
        "Register API Key to Replace It",
        "Remove Key…",
        "Open Team Keys",
        "Refresh",
      ]);

      answerNextAlert(true);
      await screen.runAction("Remove Key…");
      expect(raycast.alerts[0].title).toBe("Remove the Unreadable Key Entry?");
      await settled(screen);
      await screen.waitFor(() => expect(screen.markdown).toMatch(/^# No, no ASC key configured\./));
      expect(await world.saved()).toBeUndefined();
      expect(raycast.toast).toMatchObject({
        style: "SUCCESS",
        title: "Removed the Unreadable Key Entry From the Keychain",
      });
    });
  });

  describe("first paint", () => {
    it("with nothing cached, says it is reading the Keychain while it does", async () => {
      await world.realKeyring();
      const key = world.key();
      await world.seed(key);
      await world.fakeSecretTool('sleep 1; exec "$REAL" "$@"');
      const screen = await render(<Command />);
      expect(screen.isLoading).toBe(true);
      expect(screen.markdown).toBe("# Reading the Keychain…");
      // Nothing to act on yet: no Register inviting a second key while the first read runs.
      expect(screen.actionTitles()).toEqual(["Refresh", "Open Team Keys"]);
      await screen.waitFor(() => !screen.isLoading, { timeout: 5000 });
      expect(screen.actionTitles()[0]).toBe("Verify with Apple");
      expect(screen.metadata()["Key ID"]).toBe(key.keyId);
    });

    it("comes from the cache (nothing secret in it), then is confirmed from the Keychain", async () => {
      await world.realKeyring();
      const key = world.key();
      await world.seed(key);
      const first = await openStatus();
      await first.unmount();
      // Meanwhile another program replaced the key; the slow Keychain read then tells the truth.
      const other = world.key();
      await world.seed(other);
      await world.fakeSecretTool('sleep 1; exec "$REAL" "$@"');

      const screen = await render(<Command />);
      expect(screen.isLoading).toBe(true);
      expect(screen.markdown).toMatch(new RegExp(`^# ${teamSentence(key.keyId).replace(/\./g, "\\.")}`));
      expect(screen.metadata()["Key ID"]).toBe(key.keyId);
      await screen.waitFor(() => !screen.isLoading, { timeout: 5000 });
      expect(screen.metadata()["Key ID"]).toBe(other.keyId);
      // The cache holds the masked status (checked for secrets after each test), not nothing.
      const cached = shownTexts().filter(([where]) => where.startsWith("Cache"));
      expect(cached.some(([, text]) => text.includes(other.keyId))).toBe(true);
    });
  });

  describe("the rotation reminder", () => {
    const old = () => new Date(Date.now() - 200 * DAY - 60_000).toISOString();
    const reminder = "This key is 200 days old; consider rotating it (Rotate Key…).";

    it.each([
      [{ rotateAfterDays: "90" }, true],
      [{}, true], // the default, 180 days
      [{ rotateAfterDays: "365" }, false],
      [{ rotateAfterDays: "0" }, false], // Never
    ])("preferences %j: reminder %s", async (preferences, shown) => {
      setPreferences(preferences);
      await world.seed(world.key(), { savedAt: old() });
      const screen = await openStatus();
      expect(screen.metadata().Age).toBe("200 days");
      expect(screen.metadata().Age).toBe("200 days");
      if (shown) expect(screen.markdown).toContain(reminder);
      else expect(screen.markdown).not.toContain("consider rotating");
      const age = screen.metadataEntries().find(([label]) => label === "Age");
      expect(age).toBeDefined();
    });
  });

  it("Replace Key… keeps the old key as a previous key: live from Apple's answers until proven revoked", async () => {
    const old = world.key();
    await world.seed(old);
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openStatus();
    await screen.runAction("Replace Key…");
    expect(screen.view?.type).toBe("Form");
    await screen.waitFor(() => !screen.isLoading);
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.form.setValue("p8", [file]);
    await screen.waitFor(() => !screen.isLoading);
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    await screen.waitFor(() => screen.depth === 1);
    await settled(screen);
    await screen.waitFor(() => expect(screen.metadata()["Key ID"]).toBe(key.keyId));
    const row = `Previous Key ${old.keyId}`;
    await screen.waitFor(() => expect(screen.metadata()[row]).toBe("Not Proven Revoked"));
    // The old reminder is now the retired key's live state.
    expect(screen.metadata()["Previous Key to Revoke"]).toBeUndefined();
    expect(screen.markdown).toContain(`Key ${old.keyId} not proven revoked yet`);
    await screen.unmount();

    // Check Again while it still works at Apple: the key LingCode uses and the old key, one request each.
    const again = await openStatus();
    world.apple.requests.length = 0;
    await again.runAction(`Check Key ${old.keyId} Again`);
    await again.waitFor(() => expect(again.metadata()[row]).toBe("Still Works at Apple"));
    expect(world.apple.requests.map((request) => request.keyId)).toEqual([key.keyId, old.keyId]);
    expect(raycast.toast?.title).toMatch(
      new RegExp(`^Key ${old.keyId} still works at Apple \\(checked \\d\\d:\\d\\d\\): revoke it on Team Keys$`),
    );
    // Still working: the step first, then what Apple said.
    expect(again.markdown).toContain(
      `> **Revoke key ${old.keyId} on Team Keys.** Key ${old.keyId} still works at Apple`,
    );
    expect(again.actionTitles()).toContain(`Open Team Keys to Revoke ${old.keyId}`);

    // Revoked at Apple: one refusal is not proof; a second 11 minutes later by Apple's clock is.
    world.apple.setBehaviour(old.keyId, "revoked");
    await again.runAction(`Check Key ${old.keyId} Again`);
    await again.waitFor(() => expect(again.metadata()[row]).toBe("Not Proven Revoked"));
    world.apple.setDateOffset(11 * 60);
    try {
      await again.runAction(`Check Key ${old.keyId} Again`);
      await again.waitFor(() => expect(again.metadata()[row]).toBe("Revoked"));
    } finally {
      world.apple.setDateOffset(0);
    }
    expect(again.markdown).toMatch(
      new RegExp(`Key ${old.keyId} revoked: Apple refused it at \\d\\d:\\d\\d and \\d\\d:\\d\\d\\.`),
    );
    expect(await keyStore().retired.readItem(old.keyId)).toBeUndefined();
    await again.runAction(`Dismiss Key ${old.keyId}`);
    await again.waitFor(() => again.metadata()[row] === undefined);
    expect(again.metadata()["Previous Key to Revoke"]).toBeUndefined();
    world.expectClean(raycast.localStorage);
  });

  it("Forget Without Proof… asks first (destructive), then deletes the old key's material", async () => {
    const old = world.key();
    await world.seed(old);
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: world.key().keyId, p8Text: world.pems.at(-1)! },
      { store: keyStore(), rotates: old.keyId, verify: false },
    );
    const screen = await openStatus();
    const title = `Forget Key ${old.keyId} Without Proof…`;
    expect(screen.actions().find((action) => action.title === title)).toMatchObject({ style: "destructive" });
    answerNextAlert(false);
    await screen.runAction(title);
    expect(await keyStore().retired.readItem(old.keyId)).toBeDefined();
    answerNextAlert(true);
    await screen.runAction(title);
    await screen.waitFor(() => screen.metadata()[`Previous Key ${old.keyId}`] === undefined);
    expect(await keyStore().retired.readItem(old.keyId)).toBeUndefined();
    expect(raycast.alerts.at(-1)?.primaryAction?.style).toBe("destructive");
  });
});

describe.skipIf(!HAS_KEYRING)("what the key can do, and its health", () => {
  it("Check What the Key Can Do: every area at once, the conclusions, remembered for the next opening", async () => {
    const key = world.key();
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Check What the Key Can Do");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    // Reaching Users and Access is a note for a team key (App Manager or Admin), so the first warning is signing's.
    expect(raycast.toast).toMatchObject({ title: "Can Do 4 of 5" });
    expect(raycast.toast?.message).toMatch(/automatic signing with this key will fail/);
    expect(world.apple.requests).toHaveLength(6);
    await screen.waitFor(() => expect(screen.markdown).toContain("| TestFlight | Yes |"));
    expect(screen.markdown).toContain("| Users and Access | Yes |");
    // App Manager without "Access to Certificates, Identifiers & Profiles": no provisioning.
    expect(screen.markdown).toContain("| Provisioning | No |");
    expect(screen.markdown).toContain(`- ${roleWords(key.keyId, "yes", undefined, "")?.text}`);
    await screen.unmount();

    const again = await openStatus();
    expect(again.markdown).toContain("| Provisioning |");
    expect(world.apple.requests).toHaveLength(6);
  });

  it("Record Role from Team Keys: ticks what is recorded; the remembered check is redrawn with it, no request sent", async () => {
    const key = world.key();
    await world.seed(key);
    const screen = await openStatus();
    const menu = "Record Role from Team Keys";
    const shown = () => screen.submenuActions(menu).map((action) => [action.title, action.icon]);
    // Opened, it reads what is recorded (nothing yet): nothing ticked, nothing to forget.
    await screen.openSubmenu(menu);
    expect(shown()).toEqual([
      ["Open Team Keys (Access Column)", expect.anything()],
      ["App Manager", Icon.Circle],
      ["Admin", Icon.Circle],
    ]);
    await screen.runAction("Check What the Key Can Do");
    await screen.waitFor(() => expect(screen.markdown).toContain("| Users and Access | Yes |"));
    const note = roleWords(key.keyId, "yes", undefined, "")!.text;
    expect(screen.markdown).toContain(note);
    const requests = world.apple.requests.length;

    await screen.runAction(`${menu} › App Manager`);
    await screen.waitFor(() => expect(raycast.toast?.title).toBe("Recorded as App Manager"));
    await screen.waitFor(() => expect(screen.markdown).toContain("Role: App Manager (recorded from Team Keys)."));
    expect(screen.markdown).not.toContain(note);
    expect(raycast.toast?.message ?? "").not.toMatch(/Users and Access|blast radius/);
    await screen.openSubmenu(menu);
    expect(shown()).toEqual([
      ["Open Team Keys (Access Column)", expect.anything()],
      ["App Manager", Icon.CheckCircle],
      ["Admin", Icon.Circle],
      ["Forget Recorded Role", Icon.XMarkCircle],
    ]);

    await screen.runAction(`${menu} › Admin`);
    await screen.waitFor(() => expect(screen.markdown).toContain("Role: Admin (recorded from Team Keys)."));
    expect(screen.markdown).toMatch(new RegExp(`Key ${key.keyId} is an Admin key`));
    await screen.runAction(`${menu} › Forget Recorded Role`);
    await screen.waitFor(() => expect(screen.markdown).toContain(note));
    expect(screen.markdown).not.toContain("Role:");
    // All of it from what was remembered: Apple was not asked again.
    expect(world.apple.requests).toHaveLength(requests);
  });

  it("Record Role for a key Apple kept out of Users and Access: the contradiction said first, as the view says it", async () => {
    const key = world.key({ answer: { role: "developer" } as never });
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Check What the Key Can Do");
    await screen.waitFor(() => expect(screen.markdown).toContain("| Users and Access | No |"));
    const menu = "Record Role from Team Keys";
    for (const [role, label] of [
      ["app-manager", "App Manager"],
      ["admin", "Admin"],
    ] as const) {
      const toasts = raycast.toasts.length;
      await screen.runAction(`${menu} › ${label}`);
      await screen.waitFor(() => expect(raycast.toasts.length > toasts && raycast.toast?.style).toBe("SUCCESS"));
      // What to do first: the title; then why, then what was recorded.
      expect(raycast.toast).toMatchObject({
        title: `Check Key ${key.keyId}'s Access on Team Keys`,
        message: `Apple kept it out of Users and Access at its last check, which ${label} keys reach. "Unnamed key" (Key ID ${key.keyId}) recorded as ${label} (from Team Keys).`,
        primaryAction: "Open Team Keys",
      });
      // The same contradiction the view then shows in full.
      const contradiction = roleWords(key.keyId, "no", role, "")!.text;
      await screen.waitFor(() => expect(screen.markdown).toContain(contradiction));
    }
  });

  it("a Finance key: no builds, no TestFlight, said as Apple's pages back it; nothing unknown called no", async () => {
    const key = world.key({ answer: { role: "finance" } as never });
    await world.seed(key);
    const screen = await openStatus();
    await screen.runAction("Check What the Key Can Do");
    await screen.waitFor(() => expect(screen.markdown).toContain("| Builds | No |"));
    expect(screen.markdown).toContain("| TestFlight | No |");
    expect(screen.markdown).toContain("| Apps | Yes |");
  });

  it("a copy of the key's .p8 left in Downloads: Health warns, and the action moves it to the Trash", async () => {
    const key = world.key();
    await world.seed(key);
    const file = await world.writeP8(key, { downloads: true });
    const screen = await openStatus();
    await screen.waitFor(() => expect(screen.markdown).toContain("## Health"));
    expect(screen.markdown).toMatch(/- ⚠︎ .*Downloads\/AuthKey_\w+\.p8.*Move Leftover Key Files to Trash removes it\./);
    await screen.runAction("Move Leftover Key Files to Trash");
    await screen.waitFor(() => expect(raycast.trashed.flat()).toContain(file));
  });
});
