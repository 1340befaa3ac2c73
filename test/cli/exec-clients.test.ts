/**
 * The key exactly as `asc-key exec` and `export` hand it over, signed and sent by the clients people use: each group of
 * the exports table (the key's text, its .p8, fastlane's API key JSON), a team key and an individual key, through
 * @expo/apple-utils (what eas-cli signs with; fixed base URL, so it reaches the stand-in through HTTPS_PROXY) and
 * appstore-connect-sdk (given the stand-in's address). The command exec runs is test/support/clients-child.cjs; the
 * Keychain is the in-memory one (asc-key runs in this process), and the stand-in says what reached it, signed by
 * which key.
 */
import { createPrivateKey } from "node:crypto";
import { request } from "node:http";
import path from "node:path";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { EXPORT_TABLE, type ValueSource } from "../../src/lib/exports";
import type { StandInRequest } from "../support/apple-stand-in";
import { apple, cli, tmp, useCliWorld } from "../support/asc-key";
import { ISSUER_ID, makeKeyFile } from "../support/keys";
import { expectNoSecret } from "../support/leaks";

const CHILD = path.join(process.cwd(), "test", "support", "clients-child.cjs");
const CLIENTS = ["apple-utils", "sdk"] as const;
/** The test's own variable naming the file `export` wrote, for the child to read beside exec's. */
const EXPORTED = "LINGCODE_TEST_EXPORTED_JSON";

interface Shape {
  tag: string;
  keyId: string;
  issuerId?: string;
  text?: string;
  file?: string;
  json?: string;
}

/** One shape per variable of the table that holds the key or names its file, with its group's ID variables. */
function shapesOfTable(): Shape[] {
  const shapes: Shape[] = [];
  for (const spec of EXPORT_TABLE) {
    const named = (source: ValueSource) => spec.variables.find((variable) => variable.source === source)?.name;
    for (const variable of spec.variables) {
      const tag = `${spec.group}.${variable.name}`;
      const ids = { keyId: named("key-id") ?? "", issuerId: named("issuer-id") };
      if (variable.source === "private-key") shapes.push({ tag, ...ids, text: variable.name });
      if (variable.source === "key-file") shapes.push({ tag, ...ids, file: variable.name });
      // fastlane's JSON carries its own IDs.
      if (variable.source === "fastlane-json") shapes.push({ tag, keyId: "", json: variable.name });
    }
  }
  return shapes;
}

/** The tag a request carried (`filter[sku]`), or undefined. */
const tagOf = (entry: StandInRequest) => new URL(entry.path, "http://stand-in").searchParams.get("filter[sku]");

describe("the stand-in judges tokens as Apple does", () => {
  useCliWorld();

  async function answer(claims: Record<string, unknown>, keyId: string, pem: string): Promise<number> {
    const token = await new SignJWT({ aud: "appstoreconnect-v1", iss: ISSUER_ID, ...claims })
      .setProtectedHeader({ alg: "ES256", kid: keyId, typ: "JWT" })
      .sign(createPrivateKey(pem));
    const response = await fetch(`${apple.url}/v1/apps?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
    return response.status;
  }

  it("accepts a token without iat, and still refuses one that lives longer than 20 minutes", async () => {
    const k = makeKeyFile(tmp, []);
    apple.register({ keyId: k.keyId, kind: "team", issuerId: ISSUER_ID, publicKey: k.key.publicKey });
    const now = Math.floor(Date.now() / 1000);
    expect(await answer({ exp: now + 1200 }, k.keyId, k.key.pem)).toBe(200);
    expect(await answer({ exp: now + 1260 }, k.keyId, k.key.pem)).toBe(401);
    expect(apple.requests.at(-1)?.reason).toBe("lifetime 1260 s is over 1200 s");
    expect(await answer({ iat: now - 100, exp: now + 1150 }, k.keyId, k.key.pem)).toBe(401);
    expect(await answer({ iat: "now", exp: now + 600 }, k.keyId, k.key.pem)).toBe(401);
    expect(apple.requests.at(-1)?.reason).toBe("iat is not an integer");
  });

  it("answers a request sent to it as to a proxy (absolute URI) itself, judging its path", async () => {
    const { port } = new URL(apple.url);
    const status = await new Promise<number>((resolve, reject) => {
      const sent = request(
        { host: "127.0.0.1", port, method: "GET", path: "https://api.appstoreconnect.apple.com/v1/apps?limit=1" },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      sent.on("error", reject);
      sent.end();
    });
    expect(status).toBe(401);
    expect(apple.requests.at(-1)).toMatchObject({
      path: "/v1/apps?limit=1",
      proxiedFor: "api.appstoreconnect.apple.com",
      reason: "no bearer JWT",
    });
  });
});

describe("real clients sign with the key exec and export hand over", () => {
  useCliWorld();

  it("team and individual key, every group of the table and export's JSON, through @expo/apple-utils and appstore-connect-sdk", async () => {
    const pems: string[] = [];
    const team = makeKeyFile(tmp, pems);
    const individual = makeKeyFile(tmp, pems);
    apple.register({ keyId: team.keyId, kind: "team", issuerId: ISSUER_ID, publicKey: team.key.publicKey });
    apple.register({ keyId: individual.keyId, kind: "individual", publicKey: individual.key.publicKey });
    const saved = await cli([
      "register",
      ...["--issuer-id", ISSUER_ID, "--key-id", team.keyId, "--p8", team.file, "--name", "Team", "--skip-verify"],
    ]);
    expect(saved.status, saved.stderr).toBe(0);
    const savedIndividual = await cli([
      "register",
      ...["--individual", "--key-id", individual.keyId, "--p8", individual.file, "--name", "Personal"],
      ...["--no-use", "--skip-verify"],
    ]);
    expect(savedIndividual.status, savedIndividual.stderr).toBe(0);

    const shapes = [...shapesOfTable(), { tag: "export.fastlane-json", keyId: "", json: EXPORTED }];
    // Every group's way of holding the key is covered: a new group of the table gets its shapes here.
    expect(new Set(shapes.map((shape) => shape.tag.split(".")[0]))).toEqual(
      new Set([...EXPORT_TABLE.map((spec) => spec.group), "export"]),
    );
    const env = {
      HTTPS_PROXY: apple.url,
      https_proxy: undefined,
      HTTP_PROXY: undefined,
      http_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
      ALL_PROXY: undefined,
      all_proxy: undefined,
    };
    apple.requests.length = 0;
    // Both keys at once: each exec's command loads the two clients, the slow part of this test.
    const runs = await Promise.all(
      (["Team", "Personal"] as const).map(async (name) => {
        const exported = path.join(tmp, `exported-${name}-${process.pid}.json`);
        const written = await cli(["export", "--format", "fastlane-json", "--out", exported, "--key", name]);
        expect(written.status, written.stderr).toBe(0);
        return cli(["exec", "--key", name, "--", process.execPath, CHILD, JSON.stringify(shapes)], {
          env: { ...env, [EXPORTED]: exported },
        });
      }),
    );
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe("");
      expectNoSecret({ pems, issuerIds: [ISSUER_ID] }, run.stdout + run.stderr, "asc-key's output");
    }

    for (const key of [team, individual]) {
      const mine = apple.requests.filter((entry) => entry.keyId === key.keyId);
      for (const shape of shapes) {
        for (const client of CLIENTS) {
          const sent = mine.filter((entry) => tagOf(entry) === `${shape.tag}.${client}`);
          expect(sent.length, `${key.keyId} ${shape.tag} ${client}`).toBeGreaterThan(0);
          for (const entry of sent) {
            expect(entry.status, `${shape.tag} ${client}: ${entry.reason}`).toBe(200);
            // apple-utils went to Apple's own address, through HTTPS_PROXY, to the stand-in.
            if (client === "apple-utils") expect(entry.proxiedFor).toBe("api.appstoreconnect.apple.com");
            else expect(entry.proxiedFor).toBeUndefined();
          }
        }
      }
    }
    // Nothing else: every request came from one of the two keys and was accepted.
    expect(apple.requests.filter((entry) => entry.status !== 200)).toEqual([]);
  }, 60_000);
});
