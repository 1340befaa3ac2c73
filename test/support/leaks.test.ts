/**
 * The leak detector (test/support/leaks.ts) and the checks the test worlds run with it: each encoding of a key and of
 * an Issuer ID planted on its own is found, what may show passes, and one leak planted in each face (a rendered view,
 * a toast, a clipboard copy, an AI tool's answer, asc-key's output) makes that world's check fail.
 */
import { Clipboard, Detail, Form, List, showToast, Toast } from "@raycast/api";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { keyStore } from "../../src/helpers/core";
import { keyFingerprint } from "../../src/lib/key";
import { registerKey } from "../../src/lib/keys";
import { mintToken } from "../../src/lib/token";
import getStatus from "../../src/tools/get-api-key-status";
import { raycast, render, resetRaycast } from "../raycast/harness";
import { cli, expectCliRunsClean, forgetCliRuns, useCliMemoryKeychain } from "./asc-key";
import { ISSUER_ID, ISSUER_SUFFIX, makeKey, makeKeyFile, makeKeyId, makeRecord } from "./keys";
import { expectNoSecret, KEY_ENCODINGS, keyParts, leakIn, plant, watchIssuerId } from "./leaks";
import { expectNothingSecret, testWorld } from "./world";

const key = makeKey();
const secrets = { pems: [key.pem], issuerIds: [ISSUER_ID] };
/** 24 hex digits of the key's private scalar, in capitals: a piece any face could be made to show. */
const planted = keyParts(key.pem)!.privateParts[0].subarray(4, 16).toString("hex").toUpperCase();

describe("the leak detector finds a key", () => {
  const others = Array.from({ length: 20 }, () => makeKey().pem);
  for (const encoding of KEY_ENCODINGS) {
    it(`as its ${encoding}`, () => {
      const shown = plant(key.pem, encoding);
      expect(leakIn(secrets, `said: ${shown}.`)).toBeDefined();
      // A piece of this key only: no other key's check finds it.
      expect(leakIn({ pems: others }, shown)).toBeUndefined();
    });
  }

  it("in base64 starting at any byte of the key, and its record's base64 whatever precedes the key", () => {
    const { der } = keyParts(key.pem)!;
    const record = JSON.stringify(makeRecord({}, key));
    for (let offset = 0; offset < 48; offset++) {
      const piece = der.subarray(offset, offset + 48);
      for (const as of ["base64", "base64url", "hex"] as const) {
        expect(leakIn(secrets, piece.toString(as)), `DER from byte ${offset} in ${as}`).toBeDefined();
      }
    }
    for (const before of ["", "{", '{"a":', '{"ab":1,']) {
      for (const as of ["base64", "base64url"] as const) {
        expect(leakIn(secrets, Buffer.from(before + record).toString(as)), `${before} + record in ${as}`).toBeDefined();
      }
    }
  });

  it("in an Error and in JSON a tool answers", () => {
    expect(() => expectNoSecret(secrets, new Error(`bad key ${plant(key.pem, "PEM body")}`))).toThrow();
    expect(() => expectNoSecret(secrets, { note: plant(key.pem, "private scalar in base64url") })).toThrow();
    expect(() => expectNoSecret(secrets, { record: JSON.stringify(makeRecord({}, key)) })).toThrow();
  });

  it("but not in a token it signed, its fingerprint, its public key or a Key ID", async () => {
    const record = makeRecord({ keyId: makeKeyId() }, key);
    const token = await mintToken(record);
    const spki = key.publicKey.export({ type: "spki", format: "der" });
    const shown = [
      token,
      keyFingerprint(key.pem),
      record.keyId,
      spki.toString("base64"),
      spki.toString("hex"),
      JSON.stringify(key.publicKey.export({ format: "jwk" })),
      "-----BEGIN PRIVATE KEY-----",
    ];
    for (const text of shown) expect(leakIn(secrets, text), text).toBeUndefined();
  });
});

describe("the leak detector finds an Issuer ID", () => {
  const digits = ISSUER_ID.replace(/-/g, "");
  const cases: [string, string][] = [
    ["whole", ISSUER_ID],
    ["in capitals", ISSUER_ID.toUpperCase()],
    ["without its dashes", digits],
    ["all but its first character", ISSUER_ID.slice(1)],
    ["its first eight digits", `team ${digits.slice(0, 8)}`],
    ["eight digits from the middle, in capitals", digits.slice(12, 20).toUpperCase()],
    ["its last four characters", `Issuer ID ends in ...${ISSUER_ID.slice(-4)}`],
    ["its last seven, with a dash", `…${ISSUER_ID.slice(-14, -7)}-`],
  ];
  for (const [what, shown] of cases) {
    it(`shown as ${what}`, () => {
      expect(leakIn(secrets, shown)).toMatch(/Issuer ID/);
    });
  }

  it("but passes its last three characters, dates, Key IDs and other hex", () => {
    for (const text of [
      `Yes, Issuer ID ends in ...${ISSUER_SUFFIX}, Key ID ${makeKeyId()}`,
      "saved 2026-11-26T04:00:00.000Z",
      "0123456789abcdef".repeat(4),
      "57246542-96fe-1a63-e053-0824d011072a",
    ]) {
      expect(leakIn(secrets, text), text).toBeUndefined();
    }
  });

  it("named with watchIssuerId, in every world's check", () => {
    const other = watchIssuerId("69a6de70-03db-47e3-e053-5b8c7c11a4d1");
    expect(() => expectNothingSecret([], [["planted", `team ${other.slice(0, 13)}`]])).toThrow(/planted/);
  });
});

describe("a leak planted in each face fails the Raycast world's check", () => {
  const world = testWorld("leaks");

  /** The world's check (run after each test) fails, naming where; then the plant is forgotten for the real one. */
  function expectCaught(where: RegExp): void {
    expect(() => expectNothingSecret(world.pems)).toThrow(where);
    resetRaycast();
  }

  it("a rendered view: Detail markdown, metadata, list rows and form errors and info", async () => {
    const views = [
      createElement(Detail, { markdown: `# Key\n\n${planted}` }),
      createElement(Detail, {
        markdown: "# Key",
        metadata: createElement(
          Detail.Metadata,
          null,
          createElement(Detail.Metadata.Label, { title: "d", text: planted }),
        ),
      }),
      createElement(List, null, createElement(List.Item, { title: "Acme", subtitle: planted })),
      createElement(List, null, createElement(List.Item, { title: "Acme", accessories: [{ text: planted }] })),
      createElement(
        List,
        null,
        createElement(List.Item, { title: "Acme", accessories: [{ tag: { value: planted } }] }),
      ),
      createElement(Form, null, createElement(Form.TextField, { id: "p8", title: "Key", error: `not ${planted}` })),
      createElement(Form, null, createElement(Form.TextField, { id: "p8", title: "Key", info: planted })),
    ];
    for (const view of views) {
      const screen = await render(view);
      await screen.unmount();
      expectCaught(/rendered/);
    }
    // What the user typed in a field is theirs, not something the extension showed.
    const screen = await render(createElement(Form, null, createElement(Form.TextField, { id: "p8", value: key.pem })));
    await screen.unmount();
    expectNothingSecret(world.pems);
  });

  it("a toast, in any of its states", async () => {
    const toast = await showToast({ style: Toast.Style.Animated, title: "Saving" });
    toast.message = `could not read ${planted}`;
    toast.message = "done";
    expectCaught(/toast 0/);
  });

  it("a clipboard copy of key material, concealed or not, and a paste; a token copied only concealed", async () => {
    await Clipboard.copy(key.pem, { concealed: true });
    expectCaught(/clipboard copy 0 \(concealed\)/);
    await Clipboard.copy(plant(key.pem, "JSON record in base64"));
    expectCaught(/clipboard copy 0/);
    await Clipboard.paste(planted);
    expectCaught(/clipboard paste 0/);
    const token = await mintToken(makeRecord({}, key));
    await Clipboard.copy(token);
    expectCaught(/concealed/);
    await Clipboard.copy(token, { concealed: true });
    expectNothingSecret(world.pems);
    expect(raycast.clipboard).toHaveLength(1);
  });

  it("an AI tool's answer", async () => {
    const acme = world.key();
    await registerKey(
      { kind: "team", issuerId: ISSUER_ID, keyId: acme.keyId, p8Text: acme.pem },
      { store: keyStore(), verify: false, name: plantedIn(acme.pem) },
    );
    const answer = await getStatus();
    expect(JSON.stringify(answer)).toContain(plantedIn(acme.pem));
    expect(raycast.toolAnswers.map(({ tool }) => tool)).toEqual(["get-api-key-status"]);
    expectCaught(/AI tool get-api-key-status/);
  });
});

describe("a leak planted in asc-key's output fails the CLI world's check", () => {
  useCliMemoryKeychain();

  it("a name that is a piece of the key, on stdout", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lingcode-leaks-"));
    const made = makeKeyFile(dir, []);
    const env = { LINGCODE_KEYCHAIN_SERVICE: `LingCode-test-leaks-${process.pid}`, HOME: dir };
    const name = plantedIn(made.key.pem);
    const run = await cli(
      [
        "register",
        "--issuer-id",
        ISSUER_ID,
        "--key-id",
        made.keyId,
        "--p8",
        made.file,
        "--skip-verify",
        "--name",
        name,
      ],
      { env },
    );
    expect(run.status, run.stderr).toBe(0);
    expect((await cli(["list"], { env })).stdout).toContain(name);
    expect(() => expectCliRunsClean()).toThrow(/asc-key list: stdout/);
    forgetCliRuns();
  });
});

/** 24 hex digits of a key's private scalar: a name no check should let through. */
function plantedIn(pem: string): string {
  return keyParts(pem)!.privateParts[0].subarray(8, 20).toString("hex");
}
