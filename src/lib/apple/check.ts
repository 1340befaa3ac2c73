/**
 * The checks: which areas of App Store Connect a key reaches, asked with one token and judged answer by answer
 * (judge.ts). The validity check (`checkKey`) is the same check with one probe, `GET /v1/apps?limit=1`, in the shape
 * the faces keep and show; the capability check (`checkCapabilities`) asks every area at once (at most six requests)
 * and adds what Apple's pages let us conclude (conclusions.ts).
 *
 * When the caller already knows (from an earlier answer's `X-Rate-Limit`) that fewer than 20 requests are left this
 * hour, nothing is sent and every area is unknown. The validity check is never held back that way.
 */
import type { Outcome } from "./outcomes";
import type { KeyKind } from "../record";
import type { TokenCredentials } from "../token";
import { askApple, type AppleAnswer, type AskOptions } from "./ask";
import { DEFAULT_SWITCH_HINT, drawConclusions, privilegeWarning, type ConclusionId } from "./conclusions";
import { recordedRoleText, roleWords, type KeyRole, type RoleWords } from "./roles";
import { judgeAnswer, notProbed, type AreaResult } from "./judge";
import { AREAS, PROBES, VALIDITY_AREA, type Area } from "./probes";
import { ADDRESS_UNUSABLE_REASON, NOT_PROBED_REASON, quotaGuard } from "./words";

/**
 * Below this many requests left this hour (Apple's `X-Rate-Limit`), nothing optional is sent: the capability check
 * sends nothing, and no retired key is asked (src/lib/keys/retired.ts). The requests left are LingCode's.
 */
export const MIN_REQUESTS_LEFT = 20;

export type CheckOptions = AskOptions;

/** The validity check's answer, as the faces keep it. */
export interface CheckResult {
  outcome: Outcome;
  /** One sentence telling the user what to do. */
  message: string;
  httpStatus?: number;
  /** From `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:N;` */
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
  /** Apple's `Date` minus the local clock, rounded to seconds, when the answer had a `Date` header. */
  clockOffsetSeconds?: number;
  /**
   * Apple's own time of the answer (its `Date` header, ISO 8601), when it had one: what the proof that a retired key
   * is revoked goes by (src/lib/apple/revocation.ts), never rebuilt from the offset and this computer's clock.
   */
  appleDate?: string;
  /** ISO 8601 time the check started. */
  checkedAt: string;
  /** `errors[0].code` of Apple's answer. */
  appleCode?: string;
}

export interface CapabilityOptions extends CheckOptions {
  /** Which areas to probe (default all). */
  areas?: readonly Area[];
  /** Requests left this hour as an earlier answer's `X-Rate-Limit` said; below 20 nothing is sent. */
  rateLimitRemaining?: number;
  /** How to switch to a smaller key, in the caller's words (default: Rotate Key… in API Key Status). */
  switchHint?: string;
  /** A team key's role as recorded from Team Keys: said beside what was seen, and what the conclusions say. */
  role?: KeyRole;
}

export interface CapabilityReport {
  keyId: string;
  kind: KeyKind;
  /** As the validity check would say it, from the apps request (or the only request); decides the CLI's exit status. */
  outcome: Outcome;
  message: string;
  areas: Partial<Record<Area, AreaResult>>;
  conclusions: { id: ConclusionId; level: "info" | "warn"; text: string; sources: string[] }[];
  /** Requests sent (0 when not probing). */
  requests: number;
  rateLimitRemaining?: number;
  rateLimitLimit?: number;
  clockOffsetSeconds?: number;
  /** ISO 8601 time the check started. */
  checkedAt: string;
  /** The role recorded from Team Keys, as shown beside what was seen ("App Manager (recorded from Team Keys)"). */
  recordedRole?: string;
}

/** What one run of probes found, before conclusions: a capability report's facts. */
type Findings = Omit<CapabilityReport, "keyId" | "kind" | "conclusions">;

/** One run: what it found, and the decisive answer's status and Apple code (the validity check reports them). */
interface Run {
  found: Findings;
  httpStatus?: number;
  appleCode?: string;
  /** Apple's `Date` on the decisive answer, in milliseconds since the epoch. */
  appleTime?: number;
}

/**
 * Checks the key with exactly one request (`GET /v1/apps?limit=1`). A base URL that is not a web address, or is
 * plain http to anything but this computer, gets no request (and no token is made): `unreachable`. A key that
 * cannot sign throws its AscKeyError.
 */
export async function checkKey(credentials: TokenCredentials, options: CheckOptions = {}): Promise<CheckResult> {
  // No quota guard: the validity check always asks.
  const { found, httpStatus, appleCode, appleTime } = await probe(credentials, [VALIDITY_AREA], {
    ...options,
    rateLimitRemaining: undefined,
  });
  const { outcome, message, rateLimitRemaining, rateLimitLimit, clockOffsetSeconds, checkedAt } = found;
  return defined({
    outcome,
    message,
    httpStatus,
    rateLimitRemaining,
    rateLimitLimit,
    clockOffsetSeconds,
    appleDate: appleTime === undefined ? undefined : new Date(appleTime).toISOString(),
    checkedAt,
    appleCode,
  });
}

/** Probes what the key can do (every area unless told otherwise), with one token and at most six requests. */
export async function checkCapabilities(
  credentials: TokenCredentials,
  options: CapabilityOptions = {},
): Promise<CapabilityReport> {
  const areas = AREAS.filter((area) => (options.areas ?? AREAS).includes(area));
  const { found } = await probe(credentials, areas, options);
  return drawn({ keyId: credentials.keyId, kind: credentials.kind, ...found }, options.role, options.switchHint);
}

/**
 * The same report as if it had been drawn with `role` recorded (undefined: none): what it says about the role and the
 * conclusions that follow from it, from the areas Apple showed, without asking Apple again. For a report kept from an
 * earlier check once the user records (or forgets) what Team Keys shows.
 */
export function withRecordedRole(
  report: CapabilityReport,
  role: KeyRole | undefined,
  switchHint?: string,
): CapabilityReport {
  const facts = { ...report };
  delete facts.recordedRole;
  return drawn(facts, role, switchHint);
}

/** A report from what Apple showed: the conclusions, and the role recorded from Team Keys (a team key's only). */
function drawn(
  facts: Omit<CapabilityReport, "conclusions" | "recordedRole">,
  role: KeyRole | undefined,
  switchHint: string | undefined,
): CapabilityReport {
  const kept = facts.kind === "team" ? role : undefined;
  return {
    ...facts,
    conclusions: drawConclusions(facts, switchHint, kept),
    ...(kept ? { recordedRole: recordedRoleText(kept) } : {}),
  };
}

/**
 * Only the Users and Access probe (one request), for after a registration's `valid` check: the answer and, when
 * the key reaches Users and Access, the privilege warning as it reads for any key (never a refusal).
 */
export async function probePrivilege(
  credentials: TokenCredentials,
  options: CapabilityOptions = {},
): Promise<{ users: AreaResult; warning?: string; report: CapabilityReport }> {
  const report = await checkCapabilities(credentials, { ...options, areas: ["users"] });
  const users = report.areas.users ?? notProbed(NOT_PROBED_REASON);
  const warning =
    users.answer === "yes" ? privilegeWarning(credentials.keyId, credentials.kind, options.switchHint) : undefined;
  return warning ? { users, warning, report } : { users, report };
}

/**
 * After a registration: what to say about the key just saved reaching Users and Access, when Apple's check said
 * `valid` (one more request): an individual key gets the privilege warning; a team key what roles.ts says from
 * the answer and `options.role` (a note, nothing for App Manager, the advice for Admin). Undefined otherwise, and when
 * the probe itself fails (a saved key is never reported as failed because of it).
 */
export async function privilegeWarningAfterRegistration(
  credentials: TokenCredentials,
  check: Pick<CheckResult, "outcome" | "rateLimitRemaining"> | undefined,
  options: CapabilityOptions = {},
): Promise<RoleWords | undefined> {
  if (check?.outcome !== "valid") return undefined;
  try {
    const { users: found } = await probePrivilege(credentials, {
      ...options,
      rateLimitRemaining: check.rateLimitRemaining,
    });
    const users = found.answer;
    if (credentials.kind === "individual") {
      return users === "yes"
        ? { level: "warn", text: privilegeWarning(credentials.keyId, credentials.kind, options.switchHint) }
        : undefined;
    }
    return roleWords(credentials.keyId, users, options.role, options.switchHint ?? DEFAULT_SWITCH_HINT);
  } catch {
    return undefined;
  }
}

/** Asks for the areas' probes (unless the address or the hour's quota forbids it) and judges each answer. */
async function probe(credentials: TokenCredentials, areas: readonly Area[], options: CapabilityOptions): Promise<Run> {
  const checkedAt = new Date((options.now ?? Date.now)()).toISOString();
  const unprobed = (outcome: Outcome, message: string, reason: string): Findings => ({
    outcome,
    message,
    areas: Object.fromEntries(areas.map((area) => [area, notProbed(reason)])),
    requests: 0,
    checkedAt,
  });

  const left = options.rateLimitRemaining;
  if (left !== undefined && left < MIN_REQUESTS_LEFT) {
    const { message, reason } = quotaGuard(credentials.keyId, left);
    return { found: { ...unprobed("rate-limited", message, reason), rateLimitRemaining: left } };
  }

  const probes = PROBES.filter((row) => areas.includes(row.area));
  const asked = await askApple(
    credentials,
    probes.map((row) => row.path),
    options,
  );
  if ("refused" in asked) return { found: unprobed("unreachable", asked.refused, ADDRESS_UNUSABLE_REASON) };

  const key = { keyId: credentials.keyId, kind: credentials.kind };
  const judged = asked.answers.map((answer, i) => ({
    area: probes[i].area,
    answer,
    judgement: judgeAnswer(answer, key),
  }));
  const results: Partial<Record<Area, AreaResult>> = {};
  for (const area of areas) results[area] = combine(judged.filter((j) => j.area === area).map((j) => j.judgement.area));

  // The apps request is the validity check; without it, the first request stands in for it.
  const decisive = judged.find((j) => j.area === VALIDITY_AREA) ?? judged[0];
  return defined({
    found: defined({
      outcome: decisive.judgement.outcome,
      message: decisive.judgement.message,
      areas: results,
      requests: asked.answers.length,
      checkedAt,
      ...headersOf(asked.answers),
    }),
    httpStatus: decisive.answer.status,
    appleCode: decisive.answer.appleError?.code,
    appleTime: decisive.answer.appleTime,
  });
}

/** Provisioning takes two requests: `no` if either is refused, `yes` if both answer, else the first unknown. */
function combine(results: AreaResult[]): AreaResult {
  return (
    results.find((r) => r.answer === "no") ??
    results.find((r) => r.answer === "unknown") ??
    results[0] ??
    notProbed(NOT_PROBED_REASON)
  );
}

/** What the answers' headers said together: the fewest requests left, the limit, the first clock offset. */
function headersOf(
  answers: AppleAnswer[],
): Pick<Findings, "rateLimitRemaining" | "rateLimitLimit" | "clockOffsetSeconds"> {
  const out: Pick<Findings, "rateLimitRemaining" | "rateLimitLimit" | "clockOffsetSeconds"> = {};
  for (const answer of answers) {
    if (answer.rateLimitRemaining !== undefined) {
      out.rateLimitRemaining = Math.min(out.rateLimitRemaining ?? Infinity, answer.rateLimitRemaining);
    }
    if (answer.rateLimitLimit !== undefined) out.rateLimitLimit = answer.rateLimitLimit;
    out.clockOffsetSeconds ??= answer.clockOffsetSeconds;
  }
  return out;
}

/** The object without its undefined fields (what the faces store and print stays as it was). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
