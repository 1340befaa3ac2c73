/**
 * Register API Key, driven like a user through the @raycast/api double, against the real core: the private
 * Secret Service `npm test` starts (this file's own service) and the local Apple stand-in.
 */
import { mkdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { LocalStorage, showHUD, showToast } from "@raycast/api";
import { describe, expect, it, vi } from "vitest";
import Command from "../src/register-api-key";

// Every process the extension starts is recorded (test/support/spawns.ts): "no Keychain read" is then a fact.
vi.mock("node:child_process", async (original) => (await import("./support/spawns")).recordingSpawns(original));
import StatusCommand from "../src/api-key-status";
import { keyStore } from "../src/helpers/core";
import { outcomeSentence, TEAM_KEYS_URL } from "../src/lib/apple";
import { listKeys, registerKey, useSavedKey } from "../src/lib/keys";
import { roleWords } from "../src/lib/apple/roles";
import { RAW_CONTROL } from "./support/controls";
import { makeKey } from "./support/keys";
import type { MemoryBackend } from "./support/memory-keychain";
import { ACCOUNT } from "../src/lib/keychain";
import { spawned } from "./support/spawns";
import { LOCKED_MESSAGE } from "../src/lib/keychain/linux";
import { answerNextAlert, raycast, render, setClipboardText, type Screen } from "./raycast/harness";
import {
  ANSWER_OF,
  decodeJwt,
  testWorld,
  expectNothingSecret,
  HAS_KEYRING,
  ISSUER_ID,
  toastTitles,
  type WorldKey,
} from "./support/world";

const world = testWorld("register");

const OTHER_ISSUER_ID = "69a6de70-03db-47e3-e053-5b8c7c11a4d1";

/** The form, opened and settled (suggestions filled in, no file being read). */
async function openForm(): Promise<Screen> {
  const screen = await render(<Command />);
  await screen.waitFor(() => screen.view?.type === "Form" && !screen.isLoading);
  return screen;
}

/** Fill the form for a key as a user would: type, Issuer ID (team), Key ID, then the file. */
async function fill(screen: Screen, key: WorldKey, file: string) {
  if (key.kind === "individual") await screen.form.setValue("kind", "individual");
  else await screen.form.setValue("issuerId", key.issuerId!);
  await screen.form.setValue("p8", [file]);
  await screen.form.setValue("keyId", key.keyId);
  await screen.waitFor(() => !screen.isLoading);
}

/** Submit, wait until the one toast has stopped animating and whatever is on screen has loaded. */
async function submit(screen: Screen) {
  await screen.runAction("Register API Key");
  await settle(screen);
}

async function settle(screen: Screen) {
  await screen.waitFor(() => raycast.toast === undefined || raycast.toast.style !== "ANIMATED");
  await screen.waitFor(() => !screen.isLoading);
}

/** LingCode's key saved, then a new key saved from the form with Use for LingCode unchecked (named `name`, if given). */
async function saveBesideLingCodes(name?: string): Promise<{ old: WorldKey; key: WorldKey; screen: Screen }> {
  const old = world.key();
  await world.seed(old);
  const key = world.key();
  const file = await world.writeP8(key);
  const screen = await openForm();
  await fill(screen, key, file);
  if (name !== undefined) await screen.form.setValue("name", name);
  await screen.form.setValue("use", false);
  await submit(screen);
  return { old, key, screen };
}

async function waitForStatus(screen: Screen) {
  await screen.waitFor(() => screen.view?.type === "Detail" && !screen.isLoading);
}

function fieldError(screen: Screen, id: string): string | undefined {
  return screen.form.field(id).error;
}

describe("the form opens ready to go", () => {
  it("chooses the newest AuthKey_*.p8 in ~/Downloads, fills its Key ID, and the Issuer ID on the clipboard", async () => {
    const older = world.key();
    const newer = world.key();
    await world.writeP8(older, { downloads: true, mtime: new Date("2026-01-01T00:00:00Z") });
    const newest = await world.writeP8(newer, { downloads: true, mtime: new Date("2026-03-01T00:00:00Z") });
    // Newer still, but not an App Store Connect key file: ignored.
    await world.writeP8(world.key(), {
      downloads: true,
      name: "SubscriptionKey_ABCDEFGHIJ.p8",
      mtime: new Date("2026-04-01T00:00:00Z"),
    });
    await writeFile(path.join(world.downloads, "notes.txt"), "hello");
    setClipboardText(`Issuer ID: ${ISSUER_ID}`);

    const screen = await openForm();

    expect(screen.navigationTitle).toBe("Register API Key");
    expect(screen.form.fieldIds()).toEqual(["kind", "issuerId", "keyId", "p8", "name", "use", "verify", "trash"]);
    expect(screen.form.values()).toEqual({
      kind: "team",
      issuerId: ISSUER_ID,
      keyId: newer.keyId,
      p8: [newest],
      name: "",
      use: true,
      verify: true,
      trash: false,
    });
    await screen.waitFor(() => expect(screen.form.field("p8").info).toMatch(/^Fingerprint SHA256:/));
    expect(screen.form.fields().every((field) => field.error === undefined)).toBe(true);
    expect(screen.actionTitles()).toEqual(["Register API Key", "Open Team Keys"]);
    expect(raycast.toasts).toEqual([]);
  });

  it("suggests nothing when Downloads has no key and the clipboard holds no single Issuer ID", async () => {
    setClipboardText(`${ISSUER_ID} and ${OTHER_ISSUER_ID}`);
    const screen = await openForm();
    expect(screen.form.values()).toMatchObject({ issuerId: "", keyId: "", p8: [] });
  });

  it("hides the Issuer ID for an individual key and shows it again for a team key", async () => {
    const screen = await openForm();
    expect(screen.form.field("kind").options).toEqual([
      { value: "team", title: "Team" },
      { value: "individual", title: "Individual" },
    ]);
    await screen.form.setValue("kind", "individual");
    expect(screen.form.fieldIds()).toEqual(["kind", "keyId", "p8", "name", "use", "verify", "trash"]);
    await screen.form.setValue("kind", "team");
    expect(screen.form.fieldIds()).toContain("issuerId");
  });

  it("choosing another file fills its Key ID and shows its fingerprint", async () => {
    const first = world.key();
    await world.writeP8(first, { downloads: true });
    const screen = await openForm();
    expect(screen.form.field("keyId").value).toBe(first.keyId);

    const second = world.key();
    const file = await world.writeP8(second);
    await screen.form.setValue("p8", [file]);
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.form.field("keyId").value).toBe(second.keyId);
    expect(screen.form.field("p8").info).toMatch(/^Fingerprint SHA256:/);

    // A file not named for a key keeps the Key ID typed; a mismatch with a file's name is pointed out.
    const renamed = await world.writeP8(second, { name: "key.p8" });
    await screen.form.setValue("keyId", "2X9R4HXF34");
    await screen.form.setValue("p8", [renamed]);
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.form.field("keyId").value).toBe("2X9R4HXF34");
    await screen.form.setValue("p8", [file]);
    await screen.waitFor(() => !screen.isLoading);
    await screen.form.setValue("keyId", "2X9R4HXF34");
    expect(screen.form.field("keyId").info).toBe(
      `The file is named for Key ID ${second.keyId}; check which is right (the file may have been renamed).`,
    );
  });

  it("picks up a key downloaded while the form is open (Rotate Key…), with the Issuer ID then on the clipboard", async () => {
    const screen = await openForm();
    expect(screen.form.values()).toMatchObject({ issuerId: "", keyId: "", p8: [] });

    // The user creates the key on Team Keys, copies the Issuer ID and downloads the .p8.
    setClipboardText(ISSUER_ID);
    const key = world.key();
    const file = await world.writeP8(key, { downloads: true });
    await screen.waitFor(() => expect(screen.form.field("p8").value).toEqual([file]), { timeout: 5000 });
    expect(screen.form.values()).toMatchObject({ issuerId: ISSUER_ID, keyId: key.keyId });
    await screen.waitFor(() => expect(screen.form.field("p8").info).toMatch(/^Fingerprint SHA256:/));

    // A newer download replaces that suggestion too.
    const newer = world.key();
    const newerFile = await world.writeP8(newer, { downloads: true, mtime: new Date(Date.now() + 60_000) });
    await screen.waitFor(() => expect(screen.form.field("p8").value).toEqual([newerFile]), { timeout: 5000 });
    expect(screen.form.field("keyId").value).toBe(newer.keyId);
  });

  it("never replaces a file or Key ID the user chose with a later download", async () => {
    const screen = await openForm();
    const chosen = world.key();
    const chosenFile = await world.writeP8(chosen);
    await screen.form.setValue("p8", [chosenFile]);
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.form.field("keyId").value).toBe(chosen.keyId);

    const later = world.key();
    await world.writeP8(later, { downloads: true });
    const since = Date.now(); // wait longer than the form gives a download to settle
    await screen.waitFor(() => Date.now() - since > 800, { timeout: 3000 });
    await screen.waitFor(() => !screen.isLoading);
    expect(screen.form.values()).toMatchObject({ p8: [chosenFile], keyId: chosen.keyId });
  });

  it("cleans a pasted Issuer ID as the key model does", async () => {
    const screen = await openForm();
    await screen.form.setValue("issuerId", `Issuer ID: ${OTHER_ISSUER_ID.toUpperCase()}\n`);
    expect(screen.form.field("issuerId").value).toBe(OTHER_ISSUER_ID);
    // A dash a web page substituted, and a zero-width space copied along.
    await screen.form.setValue("issuerId", `\u200b69a6de70\u201303db-47e3-e053-5b8c7c11a4d1`);
    expect(screen.form.field("issuerId").value).toBe(OTHER_ISSUER_ID);
    // What is being typed is left alone.
    await screen.form.setValue("issuerId", "69a6de70-03");
    expect(screen.form.field("issuerId").value).toBe("69a6de70-03");
  });
});

describe("inline errors, shown without saving anything", () => {
  it("an empty form: each field says what it needs, nothing is read, checked or saved", async () => {
    const screen = await openForm();
    await screen.runAction("Register API Key");
    expect(fieldError(screen, "issuerId")).toBe("Enter the Issuer ID shown at the top of the Team Keys page.");
    expect(fieldError(screen, "keyId")).toBe("Enter the Key ID (ten characters, shown in the key's row on Team Keys).");
    expect(fieldError(screen, "p8")).toBe("Choose the AuthKey_<Key ID>.p8 file you downloaded from Apple.");
    expect(screen.text()).toContain("Enter the Issuer ID shown at the top of the Team Keys page.");
    expect(raycast.focused[0]).toBe("issuerId");
    expect(raycast.toasts).toEqual([]);
    expect(world.apple.requests).toEqual([]);
  });

  it("an invalid Issuer ID and bad Key IDs, on leaving the field; fixing the value clears the error", async () => {
    const screen = await openForm();
    await screen.form.setValue("issuerId", "not-an-issuer-id");
    await screen.form.blur("issuerId");
    expect(fieldError(screen, "issuerId")).toMatch(/^The Issuer ID should look like 57246542-96fe-1a63-e053/);
    await screen.form.setValue("issuerId", ISSUER_ID);
    expect(fieldError(screen, "issuerId")).toBeUndefined();

    await screen.form.setValue("keyId", "2X9R 4HXF34");
    await screen.form.blur("keyId");
    expect(fieldError(screen, "keyId")).toBe("The Key ID has a space inside; copy it again.");
    await screen.form.setValue("keyId", "A".repeat(36));
    await screen.form.blur("keyId");
    expect(fieldError(screen, "keyId")).toMatch(/^The Key ID is 36 characters long; Apple's are ten\./);
    await screen.form.setValue("keyId", "2x9r4hxf34");
    expect(fieldError(screen, "keyId")).toBeUndefined();
    // Unusual but possible: accepted, with a note.
    await screen.form.setValue("keyId", "ABC123");
    await screen.form.blur("keyId");
    expect(fieldError(screen, "keyId")).toBeUndefined();
    expect(screen.form.field("keyId").info).toBe(
      "Key ID ABC123 is not the usual ten letters and digits; check it against Team Keys.",
    );
  });

  it("an individual key needs no Issuer ID", async () => {
    const screen = await openForm();
    await screen.form.setValue("kind", "individual");
    await screen.runAction("Register API Key");
    expect(screen.form.fieldIds()).not.toContain("issuerId");
    expect(fieldError(screen, "keyId")).toBeDefined();
    expect(raycast.focused[0]).toBe("keyId");
  });

  const badFiles: [string, () => Promise<string>, RegExp][] = [
    [
      "a file that is not a key",
      () => world.writeFile("AuthKey_2X9R4HXF34.p8", "just some notes\n"),
      /^This is not a private key: an App Store Connect key \(\.p8\) is a short text file/,
    ],
    [
      "an In-App Purchase (SubscriptionKey) key",
      () => world.writeP8(makeKey(), { name: "SubscriptionKey_2X9R4HXF34.p8" }),
      /^SubscriptionKey_2X9R4HXF34\.p8 is an In-App Purchase \(subscription\) key, not an App Store Connect API key\./,
    ],
    [
      "a file far too large",
      () => world.writeFile("AuthKey_2X9R4HXF34.p8", Buffer.alloc(20 * 1024, 0x41)),
      /^AuthKey_2X9R4HXF34\.p8 is 20 KB; an App Store Connect key is about 250 bytes\./,
    ],
    [
      "a folder",
      async () => {
        const folder = path.join(await world.dir(), "AuthKey_2X9R4HXF34.p8");
        await mkdir(folder);
        return folder;
      },
      /^AuthKey_2X9R4HXF34\.p8 is a folder; choose the AuthKey_<Key ID>\.p8 file inside it\.$/,
    ],
    ["an empty file", () => world.writeFile("AuthKey_2X9R4HXF34.p8", ""), /^AuthKey_2X9R4HXF34\.p8 is empty/],
    [
      "a named pipe nobody writes to (the form must not hang)",
      async () => {
        const fifo = path.join(await world.dir(), "AuthKey_2X9R4HXF34.p8");
        expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
        return fifo;
      },
      /^AuthKey_2X9R4HXF34\.p8 is not a regular file\.$/,
    ],
    [
      "a P-384 key",
      () => world.writeP8(makeKey("P-384"), { name: "AuthKey_2X9R4HXF34.p8" }),
      /^This EC key is on P-384; App Store Connect keys are on P-256 \(ES256\)\.$/,
    ],
  ];

  it.each(badFiles)(
    "%s: the reason shows as soon as it is picked, and submitting is refused",
    async (_, make, reason) => {
      const file = await make();
      const screen = await openForm();
      await screen.form.setValue("issuerId", ISSUER_ID);
      await screen.form.setValue("p8", [file]);
      await screen.waitFor(() => !screen.isLoading, { timeout: 2000 });
      expect(fieldError(screen, "p8")).toMatch(reason);
      expect(screen.form.field("p8").info).toBe("AuthKey_<Key ID>.p8, as downloaded from App Store Connect.");

      await screen.runAction("Register API Key");
      expect(fieldError(screen, "p8")).toMatch(reason);
      expect(raycast.toasts).toEqual([]);
      expect(world.apple.requests).toEqual([]);

      // Choosing a good file clears it.
      const key = world.key();
      await screen.form.setValue("p8", [await world.writeP8(key)]);
      await screen.waitFor(() => !screen.isLoading);
      expect(fieldError(screen, "p8")).toBeUndefined();
      expect(screen.form.field("keyId").value).toBe(key.keyId);
    },
  );

  it.skipIf(!HAS_KEYRING)(
    "a file that went away after it was picked: refused on submit, inline and in the toast",
    async () => {
      const key = world.key();
      const file = await world.writeP8(key);
      const screen = await openForm();
      await fill(screen, key, file);
      await rm(file);
      await submit(screen);
      expect(fieldError(screen, "p8")).toBe(
        `There is no file at AuthKey_${key.keyId}.p8; it may have been moved or trashed.`,
      );
      expect(raycast.toasts).toHaveLength(1);
      expect(raycast.toast).toMatchObject({
        style: "FAILURE",
        title: "Key Not Saved",
        message: `There is no file at AuthKey_${key.keyId}.p8; it may have been moved or trashed.`,
      });
      expect(await world.saved()).toBeUndefined();
      expect(world.apple.requests).toEqual([]);
      expect(screen.view?.type).toBe("Form");
    },
  );

  it.skipIf(!HAS_KEYRING)(
    "a file name with terminal controls: the field and the toast show them as escapes, never raw",
    async () => {
      const key = world.key();
      const file = await world.writeP8(key, { name: `AuthKey_${key.keyId}\u001b]0;pwned\u0007\u009b2J.p8` });
      const screen = await openForm();
      await fill(screen, key, file);
      await rm(file);
      await submit(screen);
      const reason = `There is no file at AuthKey_${key.keyId}\\x1b]0;pwned\\x07\\u009b2J.p8; it may have been moved or trashed.`;
      expect(fieldError(screen, "p8")).toBe(reason);
      expect(raycast.toast).toMatchObject({ style: "FAILURE", title: "Key Not Saved", message: reason });
    },
  );
});

describe.skipIf(!HAS_KEYRING)("submitting: Apple's answer decides", () => {
  it("valid: checked, saved, one toast through every step ending with the sentence and fingerprint, then the status", async () => {
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    const fingerprint = screen.form.field("p8").info!.replace(/^Fingerprint /, "");

    await submit(screen);

    const sentence = `Yes, Issuer ID ends in ...b6c, Key ID ${key.keyId}`;
    expect(raycast.toasts).toHaveLength(1);
    const toast = raycast.toast!;
    expect(toastTitles(toast)).toEqual([
      "Reading the Key…",
      "Checking with Apple…",
      "Saving to the Keychain…",
      "Checking What the Key Can Do…",
      sentence,
    ]);
    expect(toast.history[0].style).toBe("ANIMATED");
    // An App Manager key (the stand-in's default) reaches Users and Access: saved, with the note on its reach.
    expect(toast).toMatchObject({
      style: "SUCCESS",
      title: sentence,
      message: `Fingerprint ${fingerprint} ${roleWords(key.keyId, "yes", undefined, "")?.text}`,
    });
    expect(toast.primaryAction).toBeUndefined();

    const saved = await world.saved();
    expect(saved).toMatchObject({ kind: "team", issuerId: ISSUER_ID, keyId: key.keyId });
    expect(world.apple.requests.map((r) => [r.path, r.status])).toEqual([
      ["/v1/apps?limit=1", 200],
      ["/v1/users?limit=1", 200],
    ]);
    expect(raycast.trashed).toEqual([]);
    expect(raycast.launches).toEqual([
      { name: "check-api-key", type: "background", context: { fromLocalStorage: true } },
    ]);
    expect(JSON.parse(raycast.localStorage["last-check"] as string)).toMatchObject({
      keyId: key.keyId,
      outcome: "valid",
    });

    await waitForStatus(screen);
    expect(screen.navigationTitle).toBe("API Key Status");
    expect(screen.text()).toContain(sentence);
    expect(screen.metadata()).toMatchObject({ "Key ID": key.keyId, Fingerprint: fingerprint, "Last Check": "valid" });
    expect(screen.text()).not.toContain(ISSUER_ID);
  });

  it("after replacing a key, the status shows the new key at once, not the cached old one", async () => {
    await world.realKeyring();
    const old = world.key();
    await world.seed(old);
    const status = await render(<StatusCommand />);
    await status.waitFor(() => expect(status.metadata()["Key ID"]).toBe(old.keyId));
    await status.unmount(); // Raycast's cache now holds the old key

    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    answerNextAlert(true);
    await screen.runAction("Register API Key");
    await screen.waitFor(() => raycast.toast?.style === "SUCCESS", { timeout: 15_000 });
    // The registration's read-back confirmed the entry: the status it shows reads the Keychain no more.
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');
    const before = spawned.length;
    await screen.waitFor(() => screen.view?.type === "Detail");
    expect(screen.metadata()["Key ID"]).toBe(key.keyId);
    // Once it has done loading, no Keychain tool was started to read LingCode's entry for it (the registration's own
    // last steps, on the saved keys' items, may still be finishing under a loaded machine).
    await screen.waitFor(() => !screen.isLoading);
    expect(spawned.slice(before).filter((child) => child.spawnargs.includes(ACCOUNT))).toEqual([]);
    expect(screen.markdown).not.toMatch(/Could Not Be Read/);
    expect(screen.metadata()["Key ID"]).toBe(key.keyId);

    // The next API Key Status paints the new key from Raycast's cache before its own read.
    world.restorePath();
    const again = await render(<StatusCommand />);
    expect(again.metadata()["Key ID"]).toBe(key.keyId);
    await again.waitFor(() => !again.isLoading);
    expect(again.metadata()["Key ID"]).toBe(key.keyId);
  });

  it("a failure after the key is saved (LocalStorage) still reports it saved, never 'Key Not Saved'", async () => {
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    const setItem = vi.spyOn(LocalStorage, "setItem").mockRejectedValue(new Error("disk full"));
    try {
      await submit(screen);
      const sentence = `Yes, Issuer ID ends in ...b6c, Key ID ${key.keyId}`;
      expect(raycast.toast).toMatchObject({ style: "SUCCESS", title: sentence });
      expect(raycast.toast!.message).toMatch(/could not be remembered/);
      expect(toastTitles(raycast.toast)).not.toContain("Key Not Saved");
      expect(await world.saved()).toMatchObject({ keyId: key.keyId });
      await waitForStatus(screen);
    } finally {
      setItem.mockRestore();
    }
  });

  it.each(["role-limited", "agreement-required", "rate-limited"] as const)(
    "%s: saved, and the toast explains the warning",
    async (outcome) => {
      const key = world.key({ answer: ANSWER_OF[outcome] });
      const file = await world.writeP8(key);
      const screen = await openForm();
      await fill(screen, key, file);
      await submit(screen);

      expect(raycast.toasts).toHaveLength(1);
      expect(raycast.toast!.style).toBe("SUCCESS");
      expect(raycast.toast!.title).toBe(`Yes, Issuer ID ends in ...b6c, Key ID ${key.keyId}`);
      expect(raycast.toast!.message).toContain(outcomeSentence(outcome, { keyId: key.keyId }));
      expect(await world.saved()).toMatchObject({ keyId: key.keyId });
      await waitForStatus(screen);
    },
  );

  it("rejected: nothing saved, the toast says why and offers Team Keys", async () => {
    const key = world.key({ answer: "revoked" });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await submit(screen);

    expect(raycast.toasts).toHaveLength(1);
    expect(toastTitles(raycast.toast)).toEqual([
      "Reading the Key…",
      "Checking with Apple…",
      "Apple Rejected the Key: Nothing Saved",
    ]);
    expect(raycast.toast).toMatchObject({ style: "FAILURE", primaryAction: "Open Team Keys" });
    // Asked once more as an individual key (refused too), then what the 401 can mean, most likely first.
    expect(raycast.toast!.message).toMatch(
      new RegExp(
        `^Apple rejected key ${key.keyId} \\(HTTP 401, asked as an individual key \\(no Issuer ID\\) too\\)\\. What that can mean, most likely first: \\(1\\) It was revoked on Team Keys.* \\(2\\) The Issuer ID is another team's: it is at the top of the Team Keys page of the team that made the key\\. \\(3\\) It is not an App Store Connect key: .*Certificates, Identifiers & Profiles → Keys.* \\(4\\) The clock: this Mac's clock is within a second of Apple's`,
      ),
    );
    expect(world.apple.requests).toHaveLength(2);
    expect(await world.saved()).toBeUndefined();
    expect(screen.view?.type).toBe("Form");
    await raycast.toast!.runPrimaryAction();
    expect(raycast.opened).toEqual([TEAM_KEYS_URL]);
  });

  it("an individual key registered with an Issuer ID: this is an individual key, saved as one in one step", async () => {
    const key = world.key({ kind: "individual" });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, { ...key, kind: "team", issuerId: ISSUER_ID }, file);
    await submit(screen);
    expect(raycast.toast).toMatchObject({
      style: "FAILURE",
      title: "This Is an Individual Key: Nothing Saved",
      message: `Key ${key.keyId} is an individual key: Apple accepted it without the Issuer ID; save it as an individual key (no Issuer ID).`,
      primaryAction: "Save as Individual Key",
    });
    expect(world.apple.requests).toHaveLength(2);
    expect(await world.saved()).toBeUndefined();

    await raycast.toast!.runPrimaryAction();
    // A registration of its own, as an individual key (its own toast).
    // The form shows the key as Individual at once (once saved, the status replaces the form).
    await screen.waitFor(() => expect(screen.form.field("kind").value).toBe("individual"));
    await screen.waitFor(() => raycast.toast?.style === "SUCCESS", { timeout: 15_000 });
    expect(raycast.toast).toMatchObject({ style: "SUCCESS", title: `Yes, individual key, Key ID ${key.keyId}` });
    const saved = await world.saved();
    expect(saved).toMatchObject({ kind: "individual", keyId: key.keyId });
    expect(saved?.issuerId).toBeUndefined();
  });

  it("a key Apple was given with the wrong Issuer ID is rejected too", async () => {
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, { ...key, issuerId: OTHER_ISSUER_ID }, file);
    await submit(screen);
    expect(raycast.toast!.title).toBe("Apple Rejected the Key: Nothing Saved");
    expect(await world.saved()).toBeUndefined();
  });

  const unavailable: [string, () => Promise<WorldKey>, RegExp][] = [
    [
      "unreachable",
      async () => {
        await world.goOffline();
        return world.key();
      },
      /^Could not reach App Store Connect at 127\.0\.0\.1:\d+ \(/,
    ],
    [
      "server-error",
      async () => world.key({ answer: "server-error" }),
      /^App Store Connect had a server error \(HTTP 500\); try again/,
    ],
  ];

  it.each(unavailable)(
    "%s: nothing saved; the toast offers Save Without Verifying, which saves",
    async (_, make, reason) => {
      const key = await make();
      const file = await world.writeP8(key);
      const screen = await openForm();
      await fill(screen, key, file);
      await submit(screen);

      expect(raycast.toasts).toHaveLength(1);
      expect(raycast.toast).toMatchObject({
        style: "FAILURE",
        title: "Couldn't Check with Apple: Nothing Saved",
        primaryAction: "Save Without Verifying",
      });
      expect(raycast.toast!.message).toMatch(reason);
      expect(await world.saved()).toBeUndefined();
      const requests = world.apple.requests.length;

      await raycast.toast!.runPrimaryAction();
      await settle(screen);
      expect(raycast.toasts).toHaveLength(1);
      expect(raycast.toast).toMatchObject({
        style: "SUCCESS",
        title: `Yes, Issuer ID ends in ...b6c, Key ID ${key.keyId}`,
      });
      expect(raycast.toast!.message).toMatch(/^Fingerprint SHA256:\S+ Not verified with Apple\.$/);
      expect(toastTitles(raycast.toast).slice(-2)).toEqual(["Saving to the Keychain…", raycast.toast!.title]);
      expect(world.apple.requests).toHaveLength(requests);
      expect(await world.saved()).toMatchObject({ keyId: key.keyId });
      // Saved: the form gives way to the status, as after any registration.
      await waitForStatus(screen);
      expect(screen.text()).toContain(`Key ID ${key.keyId}`);
    },
  );

  it("Apple's title with terminal controls: the toast quotes it with the controls as escapes", async () => {
    const key = world.key({ answer: "hostile-words" });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await submit(screen);
    expect(raycast.toast).toMatchObject({ style: "FAILURE", title: "Couldn't Check with Apple: Nothing Saved" });
    expect(raycast.toast!.message).toContain('HTTP 403 "Evil\\x1b[2J\\x1b]0;pwned\\x07 title \\u009b31mred\\u007f"');
    expect(raycast.toast!.message).not.toMatch(RAW_CONTROL);
    expect(await world.saved()).toBeUndefined();
  });

  it("verify off: no request to Apple, saved, and the toast says it was not verified", async () => {
    const key = world.key({ answer: false });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await screen.form.setValue("verify", false);
    await submit(screen);

    expect(world.apple.requests).toEqual([]);
    expect(toastTitles(raycast.toast)).toEqual([
      "Reading the Key…",
      "Saving to the Keychain…",
      `Yes, Issuer ID ends in ...b6c, Key ID ${key.keyId}`,
    ]);
    expect(raycast.toast!.message).toMatch(/ Not verified with Apple\.$/);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
    expect(raycast.localStorage["last-check"]).toBeUndefined();
    await waitForStatus(screen);
  });

  it("an individual key: no Issuer ID asked, saved as individual, accepted by Apple", async () => {
    const key = world.key({ kind: "individual" });
    const file = await world.writeP8(key);
    setClipboardText(ISSUER_ID); // filled in for a team key, but not sent for an individual one
    const screen = await openForm();
    await fill(screen, key, file);
    await submit(screen);

    expect(raycast.toast).toMatchObject({ style: "SUCCESS", title: `Yes, individual key, Key ID ${key.keyId}` });
    expect(world.apple.requests.map((r) => r.status)).toEqual([200, 200]);
    const saved = await world.saved();
    expect(saved).toMatchObject({ kind: "individual", keyId: key.keyId });
    expect(saved!.issuerId).toBeUndefined();
  });

  it("a locked keyring: nothing is checked or saved, and the toast says why", async () => {
    await world.realKeyring();
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');
    await fill(screen, key, file);
    await submit(screen);
    expect(raycast.toast).toMatchObject({
      style: "FAILURE",
      title: "Key Not Saved",
      message: LOCKED_MESSAGE,
    });
    expect(world.apple.requests).toEqual([]);
    world.restorePath();
    expect(await world.saved()).toBeUndefined();
  });

  it("a keyring locked after the form planned: Apple's answer comes first, then nothing is saved, and the toast says why", async () => {
    await world.realKeyring();
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await world.fakeSecretTool('echo "Cannot get secret of a locked object" >&2; exit 1');
    await submit(screen);
    expect(raycast.toast).toMatchObject({ style: "FAILURE", title: "Key Not Saved", message: LOCKED_MESSAGE });
    expect(world.apple.requests.map((r) => r.path)).toEqual(["/v1/apps?limit=1"]);
    world.restorePath();
    expect(await world.saved()).toBeUndefined();
  });

  it("no question asked: LingCode's entry is read twice, for the plan and to read the write back", async () => {
    const backend = world.backend() as MemoryBackend;
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await screen.waitFor(() => !screen.isLoading);
    const entryReads = () =>
      backend.calls.filter((call) => call.op === "get" && call.service === world.service && call.account === ACCOUNT)
        .length;
    await submit(screen);
    await waitForStatus(screen);
    expect(raycast.alerts).toHaveLength(0);
    // Up to the status shown after it (the read-back's): the plan, the read-back.
    expect(entryReads()).toBe(2);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
  });

  it("the saved keys changed after the form planned: nothing is saved, the toast says so, and the next submit plans again", async () => {
    const old = world.key();
    await world.seed(old);
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    // Another app makes LingCode use a third key meanwhile.
    const third = world.key();
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: third.keyId, p8Text: third.pem },
      { store: keyStore(), verify: false, use: true },
    );
    answerNextAlert(true);
    await submit(screen);
    expect(raycast.toast).toMatchObject({ style: "FAILURE", title: "Key Not Saved" });
    expect(raycast.toast?.message).toMatch(/^The saved keys changed since this registration was planned/);
    expect(await world.saved()).toMatchObject({ keyId: third.keyId });
    expect((await listKeys(keyStore())).keys.map((k) => k.keyId)).not.toContain(key.keyId);

    await screen.waitFor(() => !screen.isLoading);
    answerNextAlert(true);
    await submit(screen);
    expect(raycast.alerts.at(-1)?.message).toContain(`LingCode uses "Unnamed key (2)" (Key ID ${third.keyId}) now.`);
    await waitForStatus(screen);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
  });

  it("trash: the .p8 is moved to the Trash after saving, and the toast says so", async () => {
    const key = world.key();
    const file = await world.writeP8(key, { downloads: true });
    const screen = await openForm();
    expect(screen.form.field("p8").value).toEqual([file]);
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.form.setValue("trash", true);
    await submit(screen);
    expect(raycast.trashed).toEqual([file]);
    expect(raycast.toast!.message).toMatch(/ The \.p8 is in the Trash\.$/);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
  });

  it("trash through a symbolic link: the key file itself goes to the Trash, then the link", async () => {
    const key = world.key();
    const real = await world.writeP8(key);
    const link = path.join(await world.dir(), `AuthKey_${key.keyId}.p8`);
    await symlink(real, link);
    const screen = await openForm();
    await fill(screen, key, link);
    await screen.form.setValue("trash", true);
    await submit(screen);
    expect(raycast.trashed).toEqual([await realpath(real), link]);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
  });

  it("a rejected key is not trashed", async () => {
    const key = world.key({ answer: "revoked" });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await screen.form.setValue("trash", true);
    await submit(screen);
    expect(raycast.trashed).toEqual([]);
  });
});

describe.skipIf(!HAS_KEYRING)("replacing the saved key", () => {
  it("a second key asks whether LingCode should switch to it; no saves nothing, yes switches and keeps the first saved", async () => {
    const old = world.key();
    await world.seed(old);
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);

    answerNextAlert(false);
    await screen.runAction("Register API Key");
    expect(raycast.alerts).toHaveLength(1);
    const alert = raycast.alerts[0];
    expect(alert.title).toBe(`Use Key ${key.keyId} for LingCode?`);
    expect(alert.message).toBe(
      `LingCode uses "Unnamed key" (Key ID ${old.keyId}) now. "Unnamed key" stays saved: API Keys switches back in one step.`,
    );
    expect(alert.primaryAction).toMatchObject({ title: `Use Key ${key.keyId}` });
    // The progress toast made way for the question and stays hidden once the answer is no.
    expect(raycast.toasts.every((toast) => !toast.visible)).toBe(true);
    expect(world.apple.requests).toEqual([]);
    expect(await world.saved()).toMatchObject({ keyId: old.keyId });
    expect(screen.view?.type).toBe("Form");

    answerNextAlert(true);
    await submit(screen);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
    expect(raycast.toast?.style).toBe("SUCCESS");
    expect(raycast.toast?.message).toContain('"Unnamed key" stays saved.');
    // Nothing left the Keychain: no key to revoke.
    expect(raycast.localStorage["key-to-revoke"]).toBeUndefined();
    const { keys } = await listKeys(keyStore());
    expect(keys.map((k) => [k.keyId, k.active])).toEqual([
      [old.keyId, false],
      [key.keyId, true],
    ]);
  });

  it("the Key ID of a saved key LingCode does not use, with other key material: asked first; yes replaces it there", async () => {
    const active = world.key();
    await world.seed(active);
    const other = world.key();
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: other.keyId, p8Text: other.pem },
      { store: keyStore(), verify: false, name: "Globex", use: false },
    );
    // New key material under Globex's Key ID (Apple knows the Key ID by its new key now).
    const replacement = world.key({ keyId: other.keyId });
    const file = await world.writeP8(replacement);
    const screen = await openForm();
    await fill(screen, replacement, file);
    await screen.form.setValue("use", false);

    answerNextAlert(false);
    await screen.runAction("Register API Key");
    expect(raycast.alerts).toHaveLength(1);
    expect(raycast.alerts[0].title).toBe(`Replace Key ${other.keyId} with a Different Key?`);
    expect(raycast.alerts[0].message).toContain(`not the saved key "Globex" (Key ID ${other.keyId})`);
    expect(raycast.alerts[0].message).not.toContain("LingCode will use it");
    expect(raycast.alerts[0].primaryAction).toMatchObject({ title: "Replace", style: "destructive" });
    expect(world.apple.requests).toEqual([]);
    expect((await keyStore().saved.readItem(other.keyId))?.record.privateKey).toBe(other.pem);

    answerNextAlert(true);
    await submit(screen);
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect((await keyStore().saved.readItem(other.keyId))?.record.privateKey).toBe(replacement.pem);
    const { keys } = await listKeys(keyStore());
    expect(keys.map((k) => [k.name, k.keyId, k.active])).toEqual([
      [expect.any(String), active.keyId, true],
      ["Globex", other.keyId, false],
    ]);
    expect(await world.saved()).toMatchObject({ keyId: active.keyId });
  });

  it("unchecking Use for LingCode only saves the key: no question, LingCode keeps its key", async () => {
    const { old, key } = await saveBesideLingCodes("Globex");
    expect(raycast.alerts).toHaveLength(0);
    expect(await world.saved()).toMatchObject({ keyId: old.keyId });
    // The toast names the key saved, not as if LingCode used it; that LingCode keeps its key comes first.
    expect(raycast.toast?.title).toBe(`Saved "Globex" (Key ID ${key.keyId})`);
    expect(raycast.toast?.message).toMatch(/^LingCode keeps using "[^"]+"\. Fingerprint SHA256:/);
    const { keys } = await listKeys(keyStore());
    expect(keys.find((k) => k.keyId === key.keyId)).toMatchObject({ name: "Globex", active: false });
  });

  it("Use for LingCode shows the core's plan: off for another team's key, on for the same team's", async () => {
    const old = world.key();
    await world.seed(old);
    const key = world.key();
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, { ...key, issuerId: OTHER_ISSUER_ID }, file);
    await screen.waitFor(() => expect(screen.form.field("use").value).toBe(false));
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.waitFor(() => expect(screen.form.field("use").value).toBe(true));
    // The name a key gets when none is given is the plan's too (the first key took "Unnamed key").
    expect(screen.form.field("name").placeholder).toBe("Unnamed key (2)");
  });

  it("after saving a key LingCode does not use, the view is about LingCode's key and acts on it", async () => {
    const { old, key, screen } = await saveBesideLingCodes();
    await waitForStatus(screen);
    expect(screen.markdown).toMatch(new RegExp(`^# Yes, Issuer ID ends in \\S+, Key ID ${old.keyId}\n`));
    expect(screen.markdown).toContain(
      `> Saved "Unnamed key (2)" (Issuer ID ends in ...${ISSUER_ID.slice(-3)}, Key ID ${key.keyId}); LingCode keeps using "Unnamed key". API Keys switches to it in one step.`,
    );
    expect(screen.metadata()["Key ID"]).toBe(old.keyId);

    await screen.runAction("Copy Token");
    const copied = raycast.clipboard.at(-1)!;
    expect(decodeJwt(copied.text).header.kid).toBe(old.keyId);
    expect(raycast.huds.at(-1)).toMatch(new RegExp(`^Copied a token for key ${old.keyId}, `));
  });

  it("a key Apple accepted when it was saved beside LingCode's shows that check once LingCode uses it", async () => {
    const { key, screen: form } = await saveBesideLingCodes();
    await form.unmount();
    await useSavedKey(keyStore(), key.keyId);

    const status = await render(<StatusCommand />);
    await status.waitFor(() => expect(status.metadata()["Key ID"]).toBe(key.keyId));
    await status.waitFor(() => expect(status.metadata()["Last Check"]).toBe("valid"));
  });

  it("the same Key ID with different key material is called out as a different key", async () => {
    const old = world.key();
    await world.seed(old);
    const key = world.key({ keyId: old.keyId });
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    answerNextAlert(true);
    await submit(screen);
    expect(raycast.alerts[0].title).toBe(`Replace Key ${old.keyId} with a Different Key?`);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId, privateKey: key.pem });
  });

  it("registering the same key again asks nothing and leaves no reminder", async () => {
    const key = world.key();
    await world.seed(key);
    const file = await world.writeP8(key);
    const screen = await openForm();
    await fill(screen, key, file);
    await submit(screen);
    expect(raycast.alerts).toEqual([]);
    expect(raycast.toast!.style).toBe("SUCCESS");
    expect(raycast.toast!.primaryAction).toBeUndefined();
    expect(raycast.localStorage["key-to-revoke"]).toBeUndefined();
    await waitForStatus(screen);
    expect(screen.metadata()["Previous Key to Revoke"]).toBeUndefined();
  });

  it("the same key under a fresh file is the same key", async () => {
    const key = world.key();
    await world.seed(key, { savedAt: "2026-01-01T00:00:00.000Z" });
    const again = world.key({ from: key, keyId: key.keyId, answer: "ok" });
    const file = await world.writeP8(again, { name: "AuthKey_" + key.keyId + " (1).p8" });
    const screen = await openForm();
    await fill(screen, again, file);
    await submit(screen);
    expect(raycast.alerts).toEqual([]);
    expect((await world.saved())!.savedAt).not.toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("fastlane's API key JSON in the file field", () => {
  /** fastlane's API key JSON for a key (written under a name of its own: any name will do). */
  function fastlaneJson(key: WorldKey, fields: Record<string, unknown> = {}): Promise<string> {
    const json = { key_id: key.keyId, issuer_id: key.issuerId, key: key.pem, in_house: false, duration: 1200 };
    return world.writeFile("asc.json", JSON.stringify({ ...json, ...fields }));
  }

  it.skipIf(!HAS_KEYRING)(
    "fills Key Type, Issuer ID and Key ID from it, registers its key, and reminds that it holds the key in clear",
    async () => {
      const key = world.key();
      const file = await fastlaneJson(key);
      const screen = await openForm();
      await screen.form.setValue("kind", "individual");
      await screen.form.setValue("keyId", "WRONG12345");
      await screen.form.setValue("p8", [file]);
      await screen.waitFor(() => !screen.isLoading && screen.form.field("keyId").value === key.keyId);
      expect(screen.form.field("kind").value).toBe("team");
      expect(screen.form.field("issuerId").value).toBe(ISSUER_ID);
      expect(fieldError(screen, "p8")).toBeUndefined();
      expect(screen.form.field("p8").info).toMatch(/^Fingerprint SHA256:/);
      expect(screen.form.field("trash").label).toBe("Move the fastlane JSON to the Trash after saving");

      await submit(screen);
      await waitForStatus(screen);
      expect(await world.saved()).toMatchObject({ keyId: key.keyId, kind: "team", issuerId: ISSUER_ID });
      expect(raycast.toast!.message).toMatch(
        / asc\.json still holds the private key in clear; move it to the Trash or delete it\.$/,
      );
      expect(raycast.trashed).toEqual([]);
    },
  );

  it.skipIf(!HAS_KEYRING)("an individual key's JSON (no issuer_id); moved to the Trash when asked", async () => {
    const key = world.key({ kind: "individual" });
    const file = await fastlaneJson(key, { issuer_id: undefined, key: undefined, key_content: key.pem });
    const screen = await openForm();
    await screen.form.setValue("p8", [file]);
    await screen.waitFor(() => !screen.isLoading && screen.form.field("keyId").value === key.keyId);
    expect(screen.form.field("kind").value).toBe("individual");
    expect(screen.form.fieldIds()).not.toContain("issuerId");
    await screen.form.setValue("trash", true);
    await submit(screen);
    await waitForStatus(screen);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId, kind: "individual" });
    expect(raycast.trashed).toEqual([file]);
    expect(raycast.toast!.message).toMatch(/ asc\.json is in the Trash\.$/);
  });

  it("a broken JSON: its reason on the file field, naming the file, and nothing saved", async () => {
    const key = world.key();
    const half = await world.writeFile("half.json", `{"key_id": "${key.keyId}", "key": "${key.pem.split("\n")[1]}`);
    const screen = await openForm();
    await screen.form.setValue("issuerId", ISSUER_ID);
    await screen.form.setValue("keyId", key.keyId);
    await screen.form.setValue("p8", [half]);
    await screen.waitFor(() => !screen.isLoading && fieldError(screen, "p8") !== undefined);
    expect(fieldError(screen, "p8")).toBe("half.json starts like JSON but is not valid JSON.");

    const p384Key = makeKey("P-384");
    world.pems.push(p384Key.pem);
    const p384 = await world.writeFile(
      "curve.json",
      JSON.stringify({ key_id: key.keyId, issuer_id: ISSUER_ID, key: p384Key.pem }),
    );
    await screen.form.setValue("p8", [p384]);
    await screen.waitFor(() => !screen.isLoading && fieldError(screen, "p8")?.startsWith("curve.json") === true);
    expect(fieldError(screen, "p8")).toMatch(/^curve\.json: This EC key is on P-384/);

    await screen.runAction("Register API Key");
    await screen.waitFor(() => !screen.isLoading);
    expect(fieldError(screen, "p8")).toMatch(/^curve\.json: /);
    expect(raycast.toasts).toEqual([]);
    expect(world.apple.requests).toEqual([]);
    if (HAS_KEYRING) expect(await world.saved()).toBeUndefined();
  });
});

describe("Expo's eas.json in the file field", () => {
  it("fills the fields from its submit profile, moves the .p8 it names (never eas.json) to the Trash, and says what the profile can say instead", async () => {
    const key = world.key();
    const p8 = await world.writeP8(key);
    const easJson = path.join(path.dirname(p8), "eas.json");
    await writeFile(
      easJson,
      JSON.stringify({
        build: { production: {} },
        submit: {
          production: {
            ios: { ascApiKeyPath: `./${path.basename(p8)}`, ascApiKeyId: key.keyId, ascApiKeyIssuerId: key.issuerId },
          },
        },
      }),
    );
    const screen = await openForm();
    await screen.form.setValue("kind", "individual");
    await screen.form.setValue("p8", [easJson]);
    await screen.waitFor(() => !screen.isLoading && screen.form.field("keyId").value === key.keyId);
    expect(screen.form.field("kind").value).toBe("team");
    expect(screen.form.field("issuerId").value).toBe(ISSUER_ID);
    expect(fieldError(screen, "p8")).toBeUndefined();
    expect(screen.form.field("trash").label).toBe(`Move ${path.basename(p8)} to the Trash after saving`);

    await screen.form.setValue("trash", true);
    await submit(screen);
    await waitForStatus(screen);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId, kind: "team", issuerId: ISSUER_ID });
    expect(raycast.trashed).toEqual([p8]);
    expect(raycast.toast!.message).toContain(`${path.basename(p8)} is in the Trash.`);
    expect(raycast.toast!.message).toContain('"ascApiKeyPath": "$EXPO_ASC_API_KEY_PATH"');
  });
});

describe("Expo's eas.json naming a .p8 outside its project", () => {
  it("offers no Trash box (nothing would move), saves the key, and moves nothing", async () => {
    const key = world.key();
    const p8 = await world.writeP8(key);
    const project = path.join(path.dirname(p8), "app");
    await mkdir(project);
    const easJson = path.join(project, "eas.json");
    await writeFile(
      easJson,
      JSON.stringify({
        submit: {
          production: {
            ios: { ascApiKeyPath: `../${path.basename(p8)}`, ascApiKeyId: key.keyId, ascApiKeyIssuerId: key.issuerId },
          },
        },
      }),
    );
    const screen = await openForm();
    await screen.form.setValue("p8", [easJson]);
    await screen.waitFor(() => !screen.isLoading && screen.form.field("keyId").value === key.keyId);
    expect(screen.form.fieldIds()).not.toContain("trash");
    await submit(screen);
    await waitForStatus(screen);
    expect(await world.saved()).toMatchObject({ keyId: key.keyId });
    expect(raycast.trashed).toEqual([]);
  });
});

describe("the check that nothing secret is shown", () => {
  it("would catch a line of a key in a toast, or a full Issuer ID in a HUD", async () => {
    const key = world.key({ answer: false });
    await showToast({ title: "Oops", message: key.pem.split("\n")[2] });
    expect(() => expectNothingSecret(world.pems)).toThrow(/toast 0/);
    raycast.toasts.length = 0;
    await showHUD(`Issuer ${ISSUER_ID}`);
    expect(() => expectNothingSecret(world.pems)).toThrow(/HUD/);
    raycast.huds.length = 0;
    expectNothingSecret(world.pems);
  });
});
