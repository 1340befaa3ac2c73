import { describe, expect, it } from "vitest";
import {
  KEY_ROLE,
  KEY_ROLES,
  parseKeyRole,
  recordedRoleStep,
  recordedRoleText,
  roleWords,
  type KeyRole,
  type RoleWords,
  type UsersAccess,
} from "../../../src/lib/apple/roles";
import { TEAM_KEYS_URL } from "../../../src/lib/apple/outcomes";

const KEY = "ABC1234DEF";
const HINT = "Rotate Key… in API Key Status makes the switch a two-minute change";

const NOTE: RoleWords = {
  level: "note",
  text: `Key ABC1234DEF can reach Users and Access, so it is an App Manager key (the role LingCode recommends) or an Admin key; Apple's API does not tell which, the key's Access column on Team Keys does (${TEAM_KEYS_URL}).`,
};
const ADMIN: RoleWords = {
  level: "warn",
  text: `Key ABC1234DEF is an Admin key (its Access column on Team Keys says so), so its blast radius is larger than LingCode needs: an App Manager key uploads builds and manages TestFlight (${HINT}).`,
};
const wrongRecord = (label: string): RoleWords => ({
  level: "warn",
  text: `Key ABC1234DEF is recorded as ${label}, but Apple keeps it out of Users and Access, which App Manager and Admin keys reach; check its Access column on Team Keys (${TEAM_KEYS_URL}) and record it again.`,
});

describe("roleWords", () => {
  it.each<[UsersAccess, KeyRole | undefined, RoleWords | undefined]>([
    // Nothing recorded: a note (never a warning) with the one step that settles it, only when it reaches Users and Access.
    ["yes", undefined, NOTE],
    ["no", undefined, undefined],
    ["unknown", undefined, undefined],
    // App Manager, the role the tutorial recommends: nothing, wherever it is asked.
    ["yes", "app-manager", undefined],
    ["unknown", "app-manager", undefined],
    // Admin: the advice to rotate to an App Manager key, whether or not Users and Access was just asked.
    ["yes", "admin", ADMIN],
    ["unknown", "admin", ADMIN],
    // A record Apple's answer contradicts.
    ["no", "app-manager", wrongRecord("App Manager")],
    ["no", "admin", wrongRecord("Admin")],
  ])("Users and Access %s, recorded %s", (users, role, expected) => {
    expect(roleWords(KEY, users, role, HINT)).toStrictEqual(expected);
  });

  it("App Manager has no advice; Admin's carries the caller's switch hint", () => {
    expect(KEY_ROLE["app-manager"].advice).toBeUndefined();
    expect(KEY_ROLE.admin.advice?.(KEY, "use asc-key register --rotate")).toContain("(use asc-key register --rotate)");
  });
});

describe("recordedRoleStep: what to do first when a role is recorded", () => {
  const checkAccess = (label: string) => ({
    step: "Check Key ABC1234DEF's Access on Team Keys",
    why: `Apple kept it out of Users and Access at its last check, which ${label} keys reach.`,
  });
  const rotate = {
    step: "Rotate Key ABC1234DEF to an App Manager Key",
    why: "An Admin key can do more than LingCode needs.",
  };
  it.each<[UsersAccess, KeyRole | undefined, ReturnType<typeof recordedRoleStep>]>([
    ["yes", "app-manager", undefined],
    ["unknown", "app-manager", undefined],
    ["yes", "admin", rotate],
    ["unknown", "admin", rotate],
    // The record contradicts what Apple showed: that first, whichever role, the same case roleWords warns about.
    ["no", "app-manager", checkAccess("App Manager")],
    ["no", "admin", checkAccess("Admin")],
    ["no", undefined, undefined],
  ])("Users and Access %s, recorded %s", (users, role, expected) => {
    expect(recordedRoleStep(KEY, users, role)).toStrictEqual(expected);
    // A step exactly where roleWords has a warning to give.
    expect(expected !== undefined).toBe(roleWords(KEY, users, role, HINT)?.level === "warn");
    // Short enough for a toast: the step as its title, the reason starting its message.
    if (expected) expect(expected.step.length + expected.why.length).toBeLessThanOrEqual(130);
  });
});

describe("the recorded role", () => {
  it("is shown with its Team Keys label beside what the check saw", () => {
    expect(KEY_ROLES.map((role) => recordedRoleText(role))).toStrictEqual([
      "App Manager (recorded from Team Keys)",
      "Admin (recorded from Team Keys)",
    ]);
  });

  it.each<[unknown, KeyRole | undefined]>([
    ["app-manager", "app-manager"],
    ["App Manager", "app-manager"],
    ["  APP_MANAGER ", "app-manager"],
    ["appmanager", "app-manager"],
    ["admin", "admin"],
    ["Admin", "admin"],
    ["Developer", undefined],
    ["Account Holder", undefined],
    ["", undefined],
    ["app manager admin", undefined],
    [undefined, undefined],
    [1, undefined],
    [{ role: "admin" }, undefined],
  ])("parseKeyRole(%j) → %s", (value, expected) => {
    expect(parseKeyRole(value)).toBe(expected);
  });
});
