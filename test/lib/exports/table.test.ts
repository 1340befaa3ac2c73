import { describe, expect, it } from "vitest";
import {
  childEnvironment,
  EXPORT_GROUPS,
  EXPORT_TABLE,
  fastlaneApiKeyJson,
  filesNeeded,
  removalNotices,
  selectGroups,
  type FolderPaths,
} from "../../../src/lib/exports/table";
import { PIPELINE_HELP } from "../../../src/cli/pipeline-help";
import { ISSUER_ID, makeRecord } from "../../support/keys";

const PATHS: FolderPaths = {
  folder: "/tmp/asc-key-x",
  keyFile: "/tmp/asc-key-x/AuthKey_K.p8",
  fastlaneJson: "/tmp/asc-key-x/fastlane-api-key.json",
};

describe("the table", () => {
  it("has each --only group once, in order", () => {
    expect(EXPORT_TABLE.map((spec) => spec.group)).toEqual([...EXPORT_GROUPS]);
  });

  it("gives a variable shared by two groups the same value, and never clears what a group sets", () => {
    const sourceOf = new Map<string, string>();
    for (const spec of EXPORT_TABLE) {
      for (const variable of spec.variables) {
        const earlier = sourceOf.get(variable.name);
        if (earlier) expect(variable.source, variable.name).toBe(earlier);
        sourceOf.set(variable.name, variable.source);
      }
    }
    for (const spec of EXPORT_TABLE) for (const cleared of spec.clears) expect(sourceOf.has(cleared.name)).toBe(false);
  });

  it("says for every group what its tools do with individual keys, and where that comes from", () => {
    for (const spec of EXPORT_TABLE) {
      expect(spec.individualKeys.length, spec.group).toBeGreaterThan(20);
      expect(spec.source.length, spec.group).toBeGreaterThan(20);
    }
  });
});

describe("childEnvironment", () => {
  const team = makeRecord({ kind: "team" });
  const individual = makeRecord({ kind: "individual" });

  it("sets every variable of every group for a team key", () => {
    const env = childEnvironment({ PATH: "/bin" }, team, selectGroups(), PATHS);
    expect(env).toMatchObject({
      PATH: "/bin",
      APP_STORE_CONNECT_API_KEY_KEY_ID: team.keyId,
      APP_STORE_CONNECT_API_KEY_ISSUER_ID: ISSUER_ID,
      APP_STORE_CONNECT_API_KEY_KEY: team.privateKey,
      APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64: "false",
      APP_STORE_CONNECT_API_KEY_IN_HOUSE: "false",
      APP_STORE_CONNECT_API_KEY_PATH: PATHS.fastlaneJson,
      ASC_KEY_ID: team.keyId,
      ASC_ISSUER_ID: ISSUER_ID,
      ASC_KEY_TYPE: "team",
      ASC_PRIVATE_KEY_PATH: PATHS.keyFile,
      APP_STORE_CONNECT_KEY_IDENTIFIER: team.keyId,
      APP_STORE_CONNECT_ISSUER_ID: ISSUER_ID,
      APP_STORE_CONNECT_PRIVATE_KEY: team.privateKey,
      ASC_KEY_PATH: PATHS.keyFile,
      API_PRIVATE_KEYS_DIR: PATHS.folder,
      EXPO_ASC_API_KEY_PATH: PATHS.keyFile,
      EXPO_ASC_KEY_ID: team.keyId,
      EXPO_ASC_ISSUER_ID: ISSUER_ID,
    });
    const names = EXPORT_TABLE.flatMap((spec) => spec.variables.map((variable) => variable.name));
    expect(Object.keys(env).sort()).toEqual([...new Set(["PATH", ...names])].sort());
  });

  it("leaves out every Issuer ID for an individual key, inherited ones too", () => {
    const inherited = {
      ASC_ISSUER_ID: "old",
      APP_STORE_CONNECT_API_KEY_ISSUER_ID: "old",
      APP_STORE_CONNECT_ISSUER_ID: "old",
      SPACESHIP_CONNECT_API_ISSUER_ID: "old",
      EXPO_ASC_ISSUER_ID: "old",
    };
    const env = childEnvironment(inherited, individual, selectGroups(), PATHS);
    for (const name of Object.keys(inherited)) expect(env[name], name).toBeUndefined();
    expect(env.ASC_KEY_TYPE).toBe("individual");
  });

  it("removes the chosen groups' cleared variables and leaves other groups' variables alone", () => {
    const inherited = {
      ASC_PRIVATE_KEY_B64: "b64 of another key",
      APP_STORE_CONNECT_API_KEY: "{}",
      APP_STORE_CONNECT_KEY_IDENTIFIER: "OTHERKEY01",
      HOME: "/home/me",
      UNSET: undefined,
    };
    const env = childEnvironment(inherited, team, selectGroups(["asc", "fastlane"]), PATHS);
    expect(env.ASC_PRIVATE_KEY_B64).toBeUndefined();
    expect(env.APP_STORE_CONNECT_API_KEY).toBeUndefined();
    expect(env.APP_STORE_CONNECT_KEY_IDENTIFIER).toBe("OTHERKEY01");
    expect(env.HOME).toBe("/home/me");
    expect("UNSET" in env).toBe(false);
    expect(env.ASC_KEY_PATH).toBeUndefined();
  });

  it("gives eas the .p8, the Key ID and (team keys) the Issuer ID, and removes an app-specific password", () => {
    const inherited = { EXPO_APPLE_APP_SPECIFIC_PASSWORD: "abcd-efgh-ijkl-mnop", EXPO_APPLE_TEAM_ID: "AB12CD34EF" };
    const eas = selectGroups(["eas"]);
    expect(filesNeeded(eas)).toEqual({ keyFile: true, fastlaneJson: false });
    const env = childEnvironment(inherited, team, eas, PATHS);
    expect(env).toEqual({
      EXPO_APPLE_TEAM_ID: "AB12CD34EF",
      EXPO_ASC_API_KEY_PATH: PATHS.keyFile,
      EXPO_ASC_KEY_ID: team.keyId,
      EXPO_ASC_ISSUER_ID: ISSUER_ID,
    });
    expect(removalNotices(inherited, eas)).toEqual([
      "removed EXPO_APPLE_APP_SPECIFIC_PASSWORD from the command's environment: eas submit would use it instead of the key.",
    ]);
    // Nothing to say when it was not set, or when eas is not chosen.
    expect(removalNotices({}, eas)).toEqual([]);
    expect(removalNotices(inherited, selectGroups(["asc", "fastlane"]))).toEqual([]);
    expect(childEnvironment(inherited, team, selectGroups(["asc"]), PATHS).EXPO_APPLE_APP_SPECIFIC_PASSWORD).toBe(
      inherited.EXPO_APPLE_APP_SPECIFIC_PASSWORD,
    );
  });

  it("asks for the files the chosen groups need, and for none with codemagic alone", () => {
    expect(filesNeeded(selectGroups(["codemagic"]))).toEqual({ keyFile: false, fastlaneJson: false });
    expect(filesNeeded(selectGroups(["fastlane"]))).toEqual({ keyFile: false, fastlaneJson: true });
    expect(filesNeeded(selectGroups(["asc"]))).toEqual({ keyFile: true, fastlaneJson: false });
    expect(filesNeeded(selectGroups(["file"]))).toEqual({ keyFile: true, fastlaneJson: false });
    expect(filesNeeded(selectGroups())).toEqual({ keyFile: true, fastlaneJson: true });
    expect(childEnvironment({}, team, selectGroups(["codemagic"]), undefined).APP_STORE_CONNECT_PRIVATE_KEY).toBe(
      team.privateKey,
    );
  });

  it("throws (a bug) rather than set a variable to a file that was not written", () => {
    expect(() => childEnvironment({}, team, selectGroups(["file"]), { folder: "/tmp/x" })).toThrow(/no path/);
  });
});

describe("fastlaneApiKeyJson", () => {
  it("holds key_id, issuer_id, key and in_house false, in that order", () => {
    const record = makeRecord({ kind: "team" });
    const text = fastlaneApiKeyJson(record);
    expect(text.endsWith("}\n")).toBe(true);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["key_id", "issuer_id", "key", "in_house"]);
    expect(json).toEqual({ key_id: record.keyId, issuer_id: ISSUER_ID, key: record.privateKey, in_house: false });
  });

  it("has no issuer_id for an individual key", () => {
    const json = JSON.parse(fastlaneApiKeyJson(makeRecord({ kind: "individual" }))) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["key_id", "key", "in_house"]);
  });
});

describe("what is derived from the table", () => {
  it("the help of exec names every variable and group, and what each group removes", () => {
    for (const spec of EXPORT_TABLE) {
      expect(PIPELINE_HELP.exec).toContain(`${spec.group}: ${spec.tools}`);
      for (const variable of spec.variables) expect(PIPELINE_HELP.exec).toContain(variable.name);
      for (const cleared of spec.clears) expect(PIPELINE_HELP.exec).toContain(cleared.name);
    }
    expect(PIPELINE_HELP.exec).toContain("    removed: EXPO_APPLE_APP_SPECIFIC_PASSWORD\n");
  });
});
