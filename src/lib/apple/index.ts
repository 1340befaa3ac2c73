/**
 * The Apple room: the one place that talks to App Store Connect. Its public surface:
 *
 * - `checkKey`: is the key valid? One `GET /v1/apps?limit=1`.
 * - `checkCapabilities`: what can it do? One token, one request per probe (probes.ts), and the conclusions.
 * - `privilegeWarningAfterRegistration`: after a valid registration, does the key reach Users and Access?
 * - `explainRejection`: after a 401, ask again after a pause (a key valid before) and as an individual key (a team
 *   key), then list what the 401 can mean, most likely first, with the clock offset measured.
 *
 * Inside: ask.ts sends (address policy, timeout, redirects refused, bounded body, `X-Rate-Limit` and `Date`),
 * judge.ts decides, words.ts says it, explain.ts explains a 401, probes.ts lists what is asked, conclusions.ts reads Apple's role pages.
 * What follows from Apple's answers, kept here because it is Apple's model and nothing else's: outcomes.ts (what an
 * answer means, as a closed set), summary.ts (a check remembered and its age), roles.ts (Team Keys' roles and Users and
 * Access), revocation.ts (a retired key proven revoked by Apple's refusals).
 */
export { DEFAULT_ASC_API_URL } from "./ask";
export {
  checkCapabilities,
  checkKey,
  MIN_REQUESTS_LEFT,
  privilegeWarningAfterRegistration,
  withRecordedRole,
} from "./check";
export { DEFAULT_SWITCH_HINT } from "./conclusions";
export type { CapabilityOptions, CapabilityReport, CheckOptions, CheckResult } from "./check";
export { CLOCK_TOLERANCE_SECONDS, type AreaAnswer } from "./judge";
export { AREA_TITLES, AREAS, PROBES, type Area } from "./probes";
export { explainRejection, type ExplainOptions, type RejectionExplained } from "./explain";
export * from "./outcomes";
export { outcomeSentence } from "./words";
export * from "./summary";
export * from "./roles";
export * from "./revocation";
