/**
 * What can this key do? One token, then one `GET …?limit=1` per area, all at once (at most six requests):
 *
 *   apps          GET /v1/apps            (the same request as the plain check)
 *   builds        GET /v1/builds
 *   testflight    GET /v1/betaGroups
 *   provisioning  GET /v1/certificates and GET /v1/bundleIds (what Xcode's automatic signing works with)
 *   users         GET /v1/users           (Users and Access)
 *
 * Each area is `yes` (200 with a JSON:API list), `no` (403 `FORBIDDEN_ERROR`: the key works, its role does not
 * allow this) or `unknown`, with the reason (agreement missing, rate limited, offline, server error, rejected, an
 * answer that is not Apple's). Only a 403 `FORBIDDEN_ERROR` ever makes a `no`: being offline or rate limited is
 * never evidence about the key. When the caller already knows (from an earlier answer's `X-Rate-Limit`) that fewer
 * than 20 requests are left this hour, nothing is sent and every area is `unknown`.
 *
 * Apple's API does not tell a key its role, so the conclusions are drawn only where Apple's own pages back them,
 * and never name the key's role (see `drawConclusions`). The pages:
 */
import {
  CLOCK_TOLERANCE_SECONDS,
  clockOffsetSeconds,
  DEFAULT_ASC_API_URL,
  DEFAULT_TIMEOUT_MS,
  firstAppleError,
  MAX_ANSWER_BYTES,
  networkReason,
  outcomeSentence,
  parseJson,
  parseRateLimit,
  readCapped,
  requestUrl,
  type CheckOptions,
  type CheckResult,
  type Outcome,
} from "./asc-client";
import { mintToken, type TokenCredentials } from "./token";

/**
 * "Creating API Keys for App Store Connect API": team keys have "access to all apps, with varying levels of
 * access based on selected roles"; individual keys have the "access and roles of the associated user" and "aren't
 * able to use Provisioning endpoints, access Sales and Finance, or notaryTool".
 */
export const APPLE_KEYS_PAGE =
  "https://developer.apple.com/documentation/appstoreconnectapi/creating-api-keys-for-app-store-connect-api";
/** "Upload builds": "Required role: Account Holder, Admin, App Manager, or Developer." */
export const APPLE_UPLOAD_PAGE = "https://developer.apple.com/help/app-store-connect/manage-builds/upload-builds";
/** "Invite external testers" (create a group, add builds, invite): "Required role: Account Holder, Admin, or App Manager." */
export const APPLE_TESTFLIGHT_PAGE =
  "https://developer.apple.com/help/app-store-connect/test-a-beta-version/invite-external-testers";
/** "Add and edit users" (in Users and Access): "Required role: Account Holder, Admin, or App Manager." */
export const APPLE_USERS_PAGE =
  "https://developer.apple.com/help/app-store-connect/manage-your-team/add-and-edit-users";
/**
 * "Program Roles": creating certificates, registering App IDs and making or downloading provisioning profiles are
 * for the Account Holder and Admin, and for App Manager and Developer only with "access to Certificates,
 * Identifiers & Profiles, granted in Users and Access in App Store Connect".
 */
export const APPLE_ROLES_PAGE = "https://developer.apple.com/support/roles/";
/** "Role permissions": "If the Admin is part of an organization team, they have Certificates, Identifiers & Profiles by default." */
export const APPLE_ROLE_PERMISSIONS_PAGE =
  "https://developer.apple.com/help/app-store-connect/reference/role-permissions";

export const AREAS = ["apps", "builds", "testflight", "provisioning", "users"] as const;
export type Area = (typeof AREAS)[number];

/** How each area is named to the user. */
export const AREA_TITLES: Readonly<Record<Area, string>> = {
  apps: "Apps",
  builds: "Builds",
  testflight: "TestFlight",
  provisioning: "Provisioning",
  users: "Users and Access",
};

/** The requests, in the order they are reported. Provisioning takes two. */
export const PROBES: readonly { area: Area; path: string }[] = [
  { area: "apps", path: "/v1/apps?limit=1" },
  { area: "builds", path: "/v1/builds?limit=1" },
  { area: "testflight", path: "/v1/betaGroups?limit=1" },
  { area: "provisioning", path: "/v1/certificates?limit=1" },
  { area: "provisioning", path: "/v1/bundleIds?limit=1" },
  { area: "users", path: "/v1/users?limit=1" },
];
export const MAX_REQUESTS = PROBES.length;

/** Below this many requests left this hour (Apple's `X-Rate-Limit`), nothing is probed. */
export const MIN_REQUESTS_LEFT = 20;

export type AreaAnswer = "yes" | "no" | "unknown";

/** Why an area is `unknown`. */
export type UnknownCause =
  "agreement" | "rate-limited" | "offline" | "server-error" | "rejected" | "unexpected" | "not-probed";

export interface AreaResult {
  answer: AreaAnswer;
  /** Set for `unknown`. */
  cause?: UnknownCause;
  /** Set for `unknown`: a few words, e.g. "rate limited: the key has used up this hour's requests". */
  reason?: string;
  /** The HTTP status that decided the answer, when there was one. */
  httpStatus?: number;
}

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

export interface Conclusion {
  id: ConclusionId;
  /** `warn`: something LingCode needs is missing, or the key can do more than LingCode needs. */
  level: "info" | "warn";
  text: string;
  /** Apple's pages the conclusion rests on (empty when it only restates what was seen). */
  sources: string[];
}

export interface CapabilityReport {
  keyId: string;
  kind: "team" | "individual";
  /** As `verify` would say it, from the apps request (or the only request); decides the CLI's exit status. */
  outcome: Outcome;
  message: string;
  areas: Partial<Record<Area, AreaResult>>;
  conclusions: Conclusion[];
  /** Requests sent (0 when not probing). */
  requests: number;
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
  clockOffsetSeconds?: number;
  /** ISO 8601 time the check started. */
  checkedAt: string;
}

export interface CapabilityOptions extends CheckOptions {
  /** Which areas to probe (default all five). */
  areas?: readonly Area[];
  /** Requests left this hour as an earlier answer's `X-Rate-Limit` said; below 20 nothing is sent. */
  rateLimitRemaining?: number;
  /** How to switch to a smaller key, in the caller's words (default: Rotate Key… in API Key Status). */
  switchHint?: string;
}

interface ProbeAnswer {
  area: Area;
  path: string;
  result: AreaResult;
  headers?: Headers;
  /** `errors[0].code` of Apple's answer. */
  appleCode?: string;
}

/** Probes what the key can do (all five areas unless told otherwise), with one token and at most six requests. */
export async function checkCapabilities(
  credentials: TokenCredentials,
  options: CapabilityOptions = {},
): Promise<CapabilityReport> {
  const now = options.now ?? Date.now;
  const checkedAt = new Date(now()).toISOString();
  const areas = AREAS.filter((area) => (options.areas ?? AREAS).includes(area));
  const key = { keyId: credentials.keyId, kind: credentials.kind };
  const report = (outcome: Outcome, message: string, answers: Partial<Record<Area, AreaResult>>) => {
    const out: CapabilityReport = {
      keyId: key.keyId,
      kind: key.kind,
      outcome,
      message,
      areas: answers,
      conclusions: [],
      requests: 0,
      checkedAt,
    };
    out.conclusions = drawConclusions(out, options.switchHint);
    return out;
  };
  const allUnknown = (cause: UnknownCause, reason: string) =>
    Object.fromEntries(areas.map((area) => [area, { answer: "unknown", cause, reason }])) as Partial<
      Record<Area, AreaResult>
    >;

  const base = probeBase(options);
  if (typeof base === "string") {
    return report(
      "unreachable",
      base,
      allUnknown("not-probed", "not probed: the App Store Connect address is unusable"),
    );
  }

  const left = options.rateLimitRemaining;
  if (left !== undefined && left < MIN_REQUESTS_LEFT) {
    const why = `only ${left} request${left === 1 ? "" : "s"} left this hour`;
    const skipped = report(
      "rate-limited",
      `${key.keyId ? `Key ${key.keyId}` : "The key"} has ${why} (Apple's X-Rate-Limit); not probing, so LingCode keeps them. Ask again within the hour.`,
      allUnknown("not-probed", `not probed: ${why}`),
    );
    skipped.rateLimitRemaining = left;
    return skipped;
  }

  // One token for every probe, signed now (not an older cached one), as the plain check does.
  const token = await mintToken(credentials, { now, reuse: false });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const probes = PROBES.filter((probe) => areas.includes(probe.area));
  let answers: ProbeAnswer[];
  try {
    answers = await Promise.all(
      probes.map((probe) => probeOnce(probe, base, token, doFetch, controller.signal, timeoutMs)),
    );
  } finally {
    clearTimeout(timer);
  }

  const results: Partial<Record<Area, AreaResult>> = {};
  for (const area of areas) results[area] = combine(answers.filter((a) => a.area === area).map((a) => a.result));

  // The apps request is the plain check; without it, the first request stands in for it.
  const decisive = answers.find((a) => a.area === "apps") ?? answers[0];
  const out = report("valid", "", results);
  out.requests = answers.length;
  for (const answer of answers) {
    const limits = parseRateLimit(answer.headers?.get("x-rate-limit"));
    if (limits.rateLimitRemaining !== undefined) {
      out.rateLimitRemaining = Math.min(out.rateLimitRemaining ?? Infinity, limits.rateLimitRemaining);
    }
    if (limits.rateLimitLimit !== undefined) out.rateLimitLimit = limits.rateLimitLimit;
    out.clockOffsetSeconds ??= clockOffsetSeconds(answer.headers?.get("date"), now());
  }
  const verdict = overall(decisive, key, base, out.clockOffsetSeconds);
  out.outcome = verdict.outcome;
  out.message = verdict.message;
  return out;
}

/**
 * Only the Users and Access probe (one request), for after a registration's `valid` check: the answer and, when
 * the key reaches Users and Access, the warning to show with the saved key (never a refusal).
 */
export async function probePrivilege(
  credentials: TokenCredentials,
  options: CapabilityOptions = {},
): Promise<{ users: AreaResult; warning?: string; report: CapabilityReport }> {
  const report = await checkCapabilities(credentials, { ...options, areas: ["users"] });
  const users = report.areas.users ?? { answer: "unknown", cause: "not-probed", reason: "not probed" };
  const warning =
    users.answer === "yes" ? privilegeWarning(credentials.keyId, credentials.kind, options.switchHint) : undefined;
  return warning ? { users, warning, report } : { users, report };
}

/**
 * After a registration: the privilege warning for the key just saved, when Apple's check said `valid` and the key
 * reaches Users and Access (one more request); undefined otherwise, and when the probe itself fails (a saved key
 * is never reported as failed because of it).
 */
export async function privilegeWarningAfterRegistration(
  credentials: TokenCredentials,
  check: Pick<CheckResult, "outcome" | "rateLimitRemaining"> | undefined,
  options: CapabilityOptions = {},
): Promise<string | undefined> {
  if (check?.outcome !== "valid") return undefined;
  try {
    const { warning } = await probePrivilege(credentials, { ...options, rateLimitRemaining: check.rateLimitRemaining });
    return warning;
  } catch {
    return undefined;
  }
}

/** How to switch keys, said in the warning; the CLI passes its own. */
export const DEFAULT_SWITCH_HINT = "Rotate Key… in API Key Status makes the switch a two-minute change";

/**
 * The warning for a key that reaches Users and Access. Apple gives adding and editing users to the Account Holder,
 * Admin and App Manager roles (APPLE_USERS_PAGE), so this answer cannot tell Admin from App Manager: the sentence
 * says what was seen and where to look, and names no role as the key's.
 */
export function privilegeWarning(
  keyId: string,
  kind: "team" | "individual",
  switchHint: string = DEFAULT_SWITCH_HINT,
): string {
  const seen = `${kind === "individual" ? "Individual key" : "Key"} ${keyId} can reach Users and Access, where Apple lets only the Account Holder, Admin and App Manager roles add and edit users; LingCode never needs that.`;
  if (kind === "individual") {
    return `${seen} An individual key carries all of your own roles: if you are an Admin or the Account Holder, its blast radius is larger than LingCode needs, and a team key with App Manager access uploads builds and manages TestFlight (${switchHint}).`;
  }
  return `${seen} If the key's access on Team Keys says Admin, its blast radius is larger than LingCode needs: an App Manager key uploads builds and manages TestFlight (${switchHint}).`;
}

/**
 * The conclusions Apple's pages back, from what was seen. Never a role name for the key itself: only which roles
 * Apple gives a task to. An `unknown` area supports no conclusion (rate limited or offline is not "no").
 */
export function drawConclusions(
  report: Pick<CapabilityReport, "keyId" | "kind" | "areas">,
  switchHint: string = DEFAULT_SWITCH_HINT,
): Conclusion[] {
  const { keyId, kind, areas } = report;
  const key = `Key ${keyId}`;
  const answer = (area: Area): AreaAnswer | undefined => areas[area]?.answer;
  const out: Conclusion[] = [];
  const add = (id: ConclusionId, level: Conclusion["level"], text: string, sources: string[] = []) =>
    out.push({ id, level, text, sources });

  if (answer("apps") === "no") add("no-apps", "warn", outcomeSentence("role-limited", { keyId, kind }));

  // Users and Access: Apple opens it to the Account Holder, Admin and App Manager only, and all three upload
  // builds and manage TestFlight groups.
  if (answer("users") === "yes") {
    if (answer("builds") !== "no" && answer("testflight") !== "no") {
      add(
        "uploads-and-testflight",
        "info",
        `${key} can upload builds and manage TestFlight: it reaches Users and Access, which Apple opens only to the Account Holder, Admin and App Manager roles, and Apple lets all three upload builds and manage TestFlight groups.`,
        [APPLE_USERS_PAGE, APPLE_UPLOAD_PAGE, APPLE_TESTFLIGHT_PAGE],
      );
    }
    add("manages-users", "warn", privilegeWarning(keyId, kind, switchHint), [APPLE_USERS_PAGE]);
  }

  if (answer("builds") === "no") {
    add(
      "no-builds",
      "warn",
      `${key} cannot read builds, so LingCode cannot upload with it: Apple lets only the Account Holder, Admin, App Manager and Developer roles upload builds; use a key with App Manager access.`,
      [APPLE_UPLOAD_PAGE],
    );
  } else if (answer("builds") === "yes" && answer("users") === "no") {
    // Not Admin or App Manager (no Users and Access); of the other roles Apple lets only Developer upload.
    add(
      "uploads-only-if-developer",
      "info",
      `${key} can read builds but cannot reach Users and Access, so its role is neither Admin nor App Manager: of the other roles Apple lets only Developer upload builds, so uploads work only if the key was made with Developer access.`,
      [APPLE_UPLOAD_PAGE, APPLE_USERS_PAGE],
    );
  }

  if (answer("testflight") === "no") {
    add(
      "no-testflight",
      "warn",
      `${key} cannot read TestFlight groups, so LingCode cannot manage TestFlight with it: Apple lets only the Account Holder, Admin and App Manager roles create groups and invite testers.`,
      [APPLE_TESTFLIGHT_PAGE],
    );
  }

  if (kind === "individual") {
    add(
      "individual-no-provisioning",
      "warn",
      `${key} is an individual key, and Apple does not let individual keys use the provisioning endpoints or notarytool at all: Xcode's automatic signing and notarization need a team key. Uploading builds and TestFlight do not.`,
      [APPLE_KEYS_PAGE],
    );
  } else if (answer("provisioning") === "no") {
    add(
      "no-provisioning",
      "warn",
      `${key} cannot read certificates or bundle IDs, so Xcode's automatic signing with this key will fail; uploading builds and TestFlight do not need them. Apple gives certificates, App IDs and profiles to the Account Holder and Admin, and to App Manager and Developer only with access to Certificates, Identifiers & Profiles.`,
      [APPLE_ROLES_PAGE, APPLE_UPLOAD_PAGE],
    );
  } else if (answer("provisioning") === "yes") {
    add(
      "provisioning",
      "info",
      `${key} can read certificates and bundle IDs, which Xcode's automatic signing works with.`,
      [APPLE_ROLES_PAGE],
    );
  }

  if (answer("users") === "no") {
    add("no-users", "info", `${key} cannot reach Users and Access: it cannot list your team's users.`, [
      APPLE_USERS_PAGE,
    ]);
  }

  const unknown = AREAS.filter((area) => answer(area) === "unknown");
  if (unknown.length > 0) {
    const reasons = [...new Set(unknown.map((area) => areas[area]?.reason).filter(Boolean))].join("; ");
    add(
      "incomplete",
      "info",
      `Not known yet: ${unknown.map((area) => AREA_TITLES[area]).join(", ")} (${reasons}); nothing is concluded from that, so ask again later.`,
    );
  }
  return out;
}

/** The base URL to probe, or why nothing may be sent there (same rules as the plain check). */
function probeBase(options: CheckOptions): URL | string {
  return requestUrl(options.baseUrl ?? DEFAULT_ASC_API_URL, "/");
}

async function probeOnce(
  probe: { area: Area; path: string },
  base: URL,
  token: string,
  doFetch: typeof fetch,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ProbeAnswer> {
  const url = new URL(probe.path.replace(/^\//, ""), base);
  let response: Response;
  let text: string | undefined;
  try {
    response = await doFetch(url, {
      method: "GET",
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      redirect: "manual",
      signal,
    });
    text = await readCapped(response, MAX_ANSWER_BYTES);
  } catch (error) {
    const reason = signal.aborted ? `no answer within ${Math.round(timeoutMs / 100) / 10} s` : networkReason(error);
    return { ...probe, result: { answer: "unknown", cause: "offline", reason: `offline: ${reason}` } };
  }
  const { status, headers } = response;
  const body = text === undefined ? undefined : parseJson(text);
  const code = appleCode(body);
  const answer: ProbeAnswer = { ...probe, headers, result: judgeProbe(status, body, code, text === undefined) };
  if (code) answer.appleCode = code;
  return answer;
}

function judgeProbe(status: number, body: object | undefined, code: string, tooLarge: boolean): AreaResult {
  const unknown = (cause: UnknownCause, reason: string): AreaResult => ({
    answer: "unknown",
    cause,
    reason,
    httpStatus: status,
  });
  if (status >= 500) return unknown("server-error", `server error (HTTP ${status})`);
  if (tooLarge)
    return unknown(
      "unexpected",
      `an answer over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB (HTTP ${status}), not App Store Connect's`,
    );
  if (body === undefined) {
    return unknown("unexpected", `not App Store Connect's API (HTTP ${status}): a proxy or Wi-Fi login page?`);
  }
  if (status === 200 && Array.isArray((body as { data?: unknown }).data)) {
    return { answer: "yes", httpStatus: status };
  }
  if (status === 403 && code.startsWith("FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED")) {
    return unknown("agreement", "agreement missing: the Account Holder must accept the latest agreement");
  }
  // The only evidence of "no": the key works, and its role does not allow this request.
  if (status === 403 && code.startsWith("FORBIDDEN_ERROR")) return { answer: "no", httpStatus: status };
  if (status === 401) return unknown("rejected", "Apple rejected the key (HTTP 401)");
  if (status === 429) return unknown("rate-limited", "rate limited: the key has used up this hour's requests");
  return unknown("unexpected", `an answer this check does not expect (HTTP ${status})`);
}

/** Provisioning takes two requests: `no` if either is refused, `yes` if both answer, else the first unknown. */
function combine(results: AreaResult[]): AreaResult {
  return (
    results.find((r) => r.answer === "no") ??
    results.find((r) => r.answer === "unknown") ??
    results[0] ?? { answer: "unknown", cause: "not-probed", reason: "not probed" }
  );
}

/** The verdict `verify` would give for the decisive request, in its words. */
function overall(
  decisive: ProbeAnswer,
  key: { keyId: string; kind: "team" | "individual" },
  base: URL,
  clockOffset: number | undefined,
): { outcome: Outcome; message: string } {
  const verdict = (outcome: Outcome) => ({ outcome, message: outcomeSentence(outcome, key) });
  const { result } = decisive;
  if (result.answer === "yes") return verdict("valid");
  if (result.answer === "no") return verdict("role-limited");
  switch (result.cause) {
    case "agreement":
      return verdict("agreement-required");
    case "rate-limited":
      return verdict("rate-limited");
    case "rejected":
      if (clockOffset !== undefined && Math.abs(clockOffset) > CLOCK_TOLERANCE_SECONDS) {
        const how = clockOffset < 0 ? "fast" : "slow";
        return {
          outcome: "rejected",
          message: `Apple refused key ${key.keyId} because this Mac's clock is ${Math.abs(clockOffset)} s ${how}; turn on "Set time and date automatically" in System Settings and check again.`,
        };
      }
      return verdict("rejected");
    case "offline":
      return {
        outcome: "unreachable",
        message: `Could not reach App Store Connect at ${base.host} (${(result.reason ?? "").replace(/^offline: /, "")}); check the internet connection and try again.`,
      };
    case "server-error":
      return {
        outcome: "server-error",
        message: `App Store Connect had a server error (HTTP ${result.httpStatus}); try again in a few minutes.`,
      };
    default:
      return {
        outcome: "server-error",
        message: `App Store Connect answered ${result.reason ?? "unexpectedly"}; try again later, and report it if it persists.`,
      };
  }
}

function appleCode(body: object | undefined): string {
  return firstAppleError(body)?.code ?? "";
}
