/**
 * What the capability check's answers let us conclude. Apple's API does not tell a key its role, so a conclusion is
 * drawn only where Apple's own pages back it, and never names the key's role: only which roles Apple gives a task
 * to. An `unknown` area supports no conclusion (rate limited or offline is not "no").
 */
import { roleWords, type KeyRole } from "./roles";
import { outcomeSentence } from "./words";
import type { KeyKind } from "../record";
import type { AreaAnswer, AreaResult } from "./judge";
import { AREA_TITLES, AREAS, type Area } from "./probes";

/**
 * "Creating API Keys for App Store Connect API": team keys have "access to all apps, with varying levels of
 * access based on selected roles"; individual keys have the "access and roles of the associated user" and "aren't
 * able to use Provisioning endpoints, access Sales and Finance, or notaryTool".
 */
export const APPLE_KEYS_PAGE =
  "https://developer.apple.com/documentation/appstoreconnectapi/creating-api-keys-for-app-store-connect-api";
/** "Upload builds": "Required role: Account Holder, Admin, App Manager, or Developer." */
const APPLE_UPLOAD_PAGE = "https://developer.apple.com/help/app-store-connect/manage-builds/upload-builds";
/** "Invite external testers" (create a group, add builds, invite): "Required role: Account Holder, Admin, or App Manager." */
const APPLE_TESTFLIGHT_PAGE =
  "https://developer.apple.com/help/app-store-connect/test-a-beta-version/invite-external-testers";
/** "Add and edit users" (in Users and Access): "Required role: Account Holder, Admin, or App Manager." */
export const APPLE_USERS_PAGE =
  "https://developer.apple.com/help/app-store-connect/manage-your-team/add-and-edit-users";
/**
 * "Program Roles": creating certificates, registering App IDs and making or downloading provisioning profiles are
 * for the Account Holder and Admin, and for App Manager and Developer only with "access to Certificates,
 * Identifiers & Profiles, granted in Users and Access in App Store Connect".
 */
const APPLE_ROLES_PAGE = "https://developer.apple.com/support/roles/";

export type ConclusionId =
  | "uploads-and-testflight"
  | "manages-users"
  | "uploads-only-if-developer"
  | "no-builds"
  | "no-testflight"
  | "individual-no-provisioning"
  | "no-provisioning"
  | "provisioning"
  | "no-users"
  | "no-apps"
  | "incomplete";

interface Conclusion {
  id: ConclusionId;
  /** `warn`: something LingCode needs is missing, or the key can do more than LingCode needs. */
  level: "info" | "warn";
  text: string;
  /** Apple's pages the conclusion rests on (empty when it only restates what was seen). */
  sources: string[];
}

/** How to switch keys, said in the warning; the CLI passes its own. */
export const DEFAULT_SWITCH_HINT = "Rotate Key… in API Key Status makes the switch a two-minute change";

/**
 * The warning for a key that reaches Users and Access. Apple gives adding and editing users to the Account Holder,
 * Admin and App Manager roles (APPLE_USERS_PAGE), so this answer cannot tell Admin from App Manager: the sentence
 * says what was seen and where to look, and names no role as the key's.
 */
export function privilegeWarning(keyId: string, kind: KeyKind, switchHint: string = DEFAULT_SWITCH_HINT): string {
  const seen = `${kind === "individual" ? "Individual key" : "Key"} ${keyId} can reach Users and Access, where Apple lets only the Account Holder, Admin and App Manager roles add and edit users; LingCode never needs that.`;
  if (kind === "individual") {
    return `${seen} An individual key carries all of your own roles: if you are an Admin or the Account Holder, its blast radius is larger than LingCode needs, and a team key with App Manager access uploads builds and manages TestFlight (${switchHint}).`;
  }
  return `${seen} If the key's access on Team Keys says Admin, its blast radius is larger than LingCode needs: an App Manager key uploads builds and manages TestFlight (${switchHint}).`;
}

/** What a rule sees: the key, the answer per area, and how the caller says to switch keys. */
interface Seen {
  keyId: string;
  kind: KeyKind;
  /** "Key ABC1234DEF" */
  key: string;
  answer: (area: Area) => AreaAnswer | undefined;
  areas: Partial<Record<Area, AreaResult>>;
  switchHint: string;
  /** A team key's role as recorded from Team Keys. */
  role?: KeyRole;
}

/** One rule: at most one conclusion each, in the order they are reported. */
type Rule = (seen: Seen) => Conclusion | undefined;

const conclude = (id: ConclusionId, level: Conclusion["level"], text: string, sources: string[] = []): Conclusion => ({
  id,
  level,
  text,
  sources,
});

const noApps: Rule = ({ answer, keyId, kind }) =>
  answer("apps") === "no" ? conclude("no-apps", "warn", outcomeSentence("role-limited", { keyId, kind })) : undefined;

/** Users and Access is open to the Account Holder, Admin and App Manager only; all three upload and run TestFlight. */
const uploadsAndTestflight: Rule = ({ answer, key }) =>
  answer("users") === "yes" && answer("builds") !== "no" && answer("testflight") !== "no"
    ? conclude(
        "uploads-and-testflight",
        "info",
        `${key} can upload builds and manage TestFlight: it reaches Users and Access, which Apple opens only to the Account Holder, Admin and App Manager roles, and Apple lets all three upload builds and manage TestFlight groups.`,
        [APPLE_USERS_PAGE, APPLE_UPLOAD_PAGE, APPLE_TESTFLIGHT_PAGE],
      )
    : undefined;

/**
 * An individual key reaching Users and Access: the warning. A team key: what roles.ts says from the answer and the
 * role recorded from Team Keys (a note with the one step that settles it, nothing for App Manager, advice for Admin).
 */
const managesUsers: Rule = ({ answer, keyId, kind, switchHint, role }) => {
  if (kind === "individual") {
    return answer("users") === "yes"
      ? conclude("manages-users", "warn", privilegeWarning(keyId, kind, switchHint), [APPLE_USERS_PAGE])
      : undefined;
  }
  const words = roleWords(keyId, answer("users") ?? "unknown", role, switchHint);
  return words
    ? conclude("manages-users", words.level === "note" ? "info" : "warn", words.text, [APPLE_USERS_PAGE])
    : undefined;
};

const builds: Rule = ({ answer, key }) => {
  if (answer("builds") === "no") {
    return conclude(
      "no-builds",
      "warn",
      `${key} cannot read builds, so LingCode cannot upload with it: Apple lets only the Account Holder, Admin, App Manager and Developer roles upload builds; use a key with App Manager access.`,
      [APPLE_UPLOAD_PAGE],
    );
  }
  // Not Admin or App Manager (no Users and Access); of the other roles Apple lets only Developer upload.
  if (answer("builds") === "yes" && answer("users") === "no") {
    return conclude(
      "uploads-only-if-developer",
      "info",
      `${key} can read builds but cannot reach Users and Access, so its role is neither Admin nor App Manager: of the other roles Apple lets only Developer upload builds, so uploads work only if the key was made with Developer access.`,
      [APPLE_UPLOAD_PAGE, APPLE_USERS_PAGE],
    );
  }
  return undefined;
};

const testflight: Rule = ({ answer, key }) =>
  answer("testflight") === "no"
    ? conclude(
        "no-testflight",
        "warn",
        `${key} cannot read TestFlight groups, so LingCode cannot manage TestFlight with it: Apple lets only the Account Holder, Admin and App Manager roles create groups and invite testers.`,
        [APPLE_TESTFLIGHT_PAGE],
      )
    : undefined;

const provisioning: Rule = ({ answer, key, kind }) => {
  if (kind === "individual") {
    return conclude(
      "individual-no-provisioning",
      "warn",
      `${key} is an individual key, and Apple does not let individual keys use the provisioning endpoints or notarytool at all: Xcode's automatic signing and notarization need a team key. Uploading builds and TestFlight do not.`,
      [APPLE_KEYS_PAGE],
    );
  }
  if (answer("provisioning") === "no") {
    return conclude(
      "no-provisioning",
      "warn",
      `${key} cannot read certificates or bundle IDs, so Xcode's automatic signing with this key will fail; uploading builds and TestFlight do not need them. Apple gives certificates, App IDs and profiles to the Account Holder and Admin, and to App Manager and Developer only with access to Certificates, Identifiers & Profiles.`,
      [APPLE_ROLES_PAGE, APPLE_UPLOAD_PAGE],
    );
  }
  if (answer("provisioning") === "yes") {
    return conclude(
      "provisioning",
      "info",
      `${key} can read certificates and bundle IDs, which Xcode's automatic signing works with.`,
      [APPLE_ROLES_PAGE],
    );
  }
  return undefined;
};

const noUsers: Rule = ({ answer, key }) =>
  answer("users") === "no"
    ? conclude("no-users", "info", `${key} cannot reach Users and Access: it cannot list your team's users.`, [
        APPLE_USERS_PAGE,
      ])
    : undefined;

const incomplete: Rule = ({ answer, areas }) => {
  const unknown = AREAS.filter((area) => answer(area) === "unknown");
  if (unknown.length === 0) return undefined;
  const reasons = [...new Set(unknown.map((area) => areas[area]?.reason).filter(Boolean))].join("; ");
  return conclude(
    "incomplete",
    "info",
    `Not known yet: ${unknown.map((area) => AREA_TITLES[area]).join(", ")} (${reasons}); nothing is concluded from that, so ask again later.`,
  );
};

const RULES: readonly Rule[] = [
  noApps,
  uploadsAndTestflight,
  managesUsers,
  builds,
  testflight,
  provisioning,
  noUsers,
  incomplete,
];

/** The conclusions Apple's pages back, from what was seen, in a fixed order. */
export function drawConclusions(
  report: { keyId: string; kind: KeyKind; areas: Partial<Record<Area, AreaResult>> },
  switchHint: string = DEFAULT_SWITCH_HINT,
  role?: KeyRole,
): Conclusion[] {
  const { keyId, kind, areas } = report;
  const answer = (area: Area) => areas[area]?.answer;
  const seen: Seen = { keyId, kind, key: `Key ${keyId}`, answer, areas, switchHint, role };
  return RULES.map((rule) => rule(seen)).filter((conclusion) => conclusion !== undefined);
}
