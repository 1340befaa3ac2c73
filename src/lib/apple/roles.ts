/**
 * The role of a team key, as the user read it off Team Keys, and what every face says about a key that reaches Users
 * and Access. Pure words, no I/O.
 *
 * Apple opens Users and Access only to the Account Holder, Admin and App Manager roles, and no read of its API tells
 * them apart. A team key is never the Account Holder's, so a team key that reaches Users and Access is an App Manager
 * key (the role LingCode recommends: it uploads builds and manages TestFlight) or an Admin key. The one step that
 * settles which is the key's Access column on Team Keys; the user can record what it shows, kept with the key's
 * non-secret facts. Then an App Manager key is shown as such with no warning anywhere, and an Admin key gets the advice
 * to rotate to an App Manager key. (An individual key carries its owner's own roles, which Team Keys does not show;
 * it keeps its own sentence.)
 */
import { TEAM_KEYS_URL } from "./outcomes";

export const KEY_ROLES = ["app-manager", "admin"] as const;
/** What the user recorded from the key's Access column on Team Keys. */
export type KeyRole = (typeof KEY_ROLES)[number];

interface RoleFacts {
  /** As Team Keys' Access column shows it. */
  label: string;
  /**
   * The advice for a key recorded with this role, given how to switch keys in the caller's words; undefined: the role
   * is what LingCode recommends, and nothing is said anywhere.
   */
  advice?: (keyId: string, switchHint: string) => string;
}

export const KEY_ROLE: Readonly<Record<KeyRole, RoleFacts>> = {
  "app-manager": { label: "App Manager" },
  admin: {
    label: "Admin",
    advice: (keyId, switchHint) =>
      `Key ${keyId} is an Admin key (its Access column on Team Keys says so), so its blast radius is larger than LingCode needs: an App Manager key uploads builds and manages TestFlight (${switchHint}).`,
  },
};

/** Whether the key reached Users and Access when it was last asked (the capability check's answer for that area). */
export type UsersAccess = "yes" | "no" | "unknown";

/** A sentence about the key's role, and how loud it is: a note for information, a warning for something to do. */
export interface RoleWords {
  level: "note" | "warn";
  text: string;
}

/**
 * What to say about a team key's role, from what Apple showed (does it reach Users and Access?) and the role recorded
 * from Team Keys:
 * - it reaches Users and Access, nothing recorded: a note with the one step that settles it (the Access column);
 * - recorded App Manager: nothing, anywhere;
 * - recorded Admin: the advice to rotate to an App Manager key;
 * - recorded, but Apple kept it out of Users and Access (which both roles reach): a warning that the record is wrong.
 * `switchHint` says, in the caller's words, how to switch keys (e.g. Rotate Key… in API Key Status).
 */
export function roleWords(
  keyId: string,
  users: UsersAccess,
  role: KeyRole | undefined,
  switchHint: string,
): RoleWords | undefined {
  if (role !== undefined && users === "no") {
    return {
      level: "warn",
      text: `Key ${keyId} is recorded as ${KEY_ROLE[role].label}, but Apple keeps it out of Users and Access, which App Manager and Admin keys reach; check its Access column on Team Keys (${TEAM_KEYS_URL}) and record it again.`,
    };
  }
  if (role !== undefined) {
    const advice = KEY_ROLE[role].advice?.(keyId, switchHint);
    return advice === undefined ? undefined : { level: "warn", text: advice };
  }
  if (users !== "yes") return undefined;
  return {
    level: "note",
    text: `Key ${keyId} can reach Users and Access, so it is an App Manager key (the role LingCode recommends) or an Admin key; Apple's API does not tell which, the key's Access column on Team Keys does (${TEAM_KEYS_URL}).`,
  };
}

/** What recording a role calls for first: a step short enough for a toast's title, and why, in one short sentence. */
interface RoleStep {
  step: string;
  why: string;
}

/**
 * What to do first after recording `role` for a team key, given what Apple showed at its last capability check
 * (`users`): when Apple kept it out of Users and Access, which both roles reach, the record contradicts Apple (check
 * the Access column again, the same contradiction roleWords states in full); an Admin key, rotate it. Undefined when
 * there is nothing to do (an App Manager key, a role forgotten). Said before the recording, so a one-line toast
 * shows it.
 */
export function recordedRoleStep(keyId: string, users: UsersAccess, role: KeyRole | undefined): RoleStep | undefined {
  if (role === undefined) return undefined;
  if (users === "no") {
    return {
      step: `Check Key ${keyId}'s Access on Team Keys`,
      why: `Apple kept it out of Users and Access at its last check, which ${KEY_ROLE[role].label} keys reach.`,
    };
  }
  if (role === "admin") {
    return { step: `Rotate Key ${keyId} to an App Manager Key`, why: "An Admin key can do more than LingCode needs." };
  }
  return undefined;
}

/** The recorded role as shown beside what a capability check saw: "App Manager (recorded from Team Keys)". */
export function recordedRoleText(role: KeyRole): string {
  return `${KEY_ROLE[role].label} (recorded from Team Keys)`;
}

/**
 * A role as typed (`app-manager`, "App Manager", `admin`, any case) or as kept with a key's facts; undefined for
 * anything else (a damaged record, or a role Team Keys shows for keys that cannot reach Users and Access).
 */
export function parseKeyRole(value: unknown): KeyRole | undefined {
  if (typeof value !== "string") return undefined;
  const words = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
  return KEY_ROLES.find((role) => role.replace("-", "") === words);
}
