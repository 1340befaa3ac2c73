/** The CI room's pure parts: the names per tool from the exports table, GitLab's masking rule, gh's dotenv document. */
import { describe, expect, it } from "vitest";
import { ciNames, dotenvDocument, gitlabCanMask, planCiSecrets, CI_GROUPS } from "../../../src/lib/ci";
import { makeKey, makeRecord } from "../../support/keys";

describe("CI secrets planned from the exports table", () => {
  it("each tool's own names; the file group has none", () => {
    expect(CI_GROUPS).toEqual(["fastlane", "asc", "codemagic"]);
    expect(ciNames("team", ["fastlane"]).names.map((n) => n.name)).toEqual([
      "APP_STORE_CONNECT_API_KEY_KEY_ID",
      "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
      "APP_STORE_CONNECT_API_KEY_KEY",
      "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64",
    ]);
    expect(ciNames("team", ["asc"]).names.map((n) => n.name)).toEqual([
      "ASC_KEY_ID",
      "ASC_ISSUER_ID",
      "ASC_PRIVATE_KEY_B64",
    ]);
    expect(ciNames("individual", ["codemagic"])).toEqual({
      names: [
        { name: "APP_STORE_CONNECT_KEY_IDENTIFIER", group: "codemagic" },
        { name: "APP_STORE_CONNECT_PRIVATE_KEY", group: "codemagic" },
      ],
      leftOut: ["APP_STORE_CONNECT_ISSUER_ID"],
    });
  });

  it("base64 of the exact PEM where the tool reads base64, with the flag that says so", () => {
    const key = makeKey();
    const secrets = planCiSecrets(makeRecord({}, key), CI_GROUPS);
    const value = (name: string) => secrets.find((s) => s.name === name)!.value;
    expect(Buffer.from(value("APP_STORE_CONNECT_API_KEY_KEY"), "base64").toString()).toBe(key.pem);
    expect(Buffer.from(value("ASC_PRIVATE_KEY_B64"), "base64").toString()).toBe(key.pem);
    expect(value("APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64")).toBe("true");
    expect(value("APP_STORE_CONNECT_PRIVATE_KEY")).toBe(key.pem);
  });

  it("GitLab masks one line of at least 8 characters from its set", () => {
    expect(gitlabCanMask("ABCDEFGH")).toBe(true);
    expect(gitlabCanMask("ABCDEFG")).toBe(false);
    expect(gitlabCanMask("true")).toBe(false);
    expect(gitlabCanMask("a+b/c=d@e:f.g~h-i_j")).toBe(true);
    expect(gitlabCanMask("-----BEGIN PRIVATE KEY-----\nAAAA\n")).toBe(false);
  });

  it("gh's dotenv document: one line per secret, the PEM's line breaks escaped", () => {
    const key = makeKey();
    const text = dotenvDocument(planCiSecrets(makeRecord({}, key), ["codemagic", "asc"]));
    expect(text.split("\n").filter(Boolean)).toHaveLength(6);
    expect(text).toMatch(/^ASC_PRIVATE_KEY_B64='[A-Za-z0-9+/=]+'$/m);
    const pem = /^APP_STORE_CONNECT_PRIVATE_KEY="(.*)"$/m.exec(text)![1];
    expect(pem.replace(/\\n/g, "\n")).toBe(key.pem);
  });
});
