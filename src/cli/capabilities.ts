/** `asc-key verify --capabilities [--key <name or Key ID>] [--json]`: what the key can do, area by area. */
import { AREA_TITLES, AREAS, PROBES, type CapabilityReport, OUTCOME } from "../lib/apple";
import { checkSavedKeyCapabilities } from "../lib/keys";
import { EXIT, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { appleOptionsFor, keyStoreFor } from "./settings";

/** How the CLI says to switch to a smaller key. */
export const CLI_SWITCH_HINT =
  "create it on Team Keys, then asc-key register --rotate <this key's name or Key ID> puts it in this one's place";

/** `verify --capabilities`: what the key can do, area by area, and what Apple's pages let us conclude. */
export async function verifyCapabilities(json: boolean, io: CliIo, key?: string): Promise<ExitStatus> {
  const { report } = await checkSavedKeyCapabilities(keyStoreFor(io.env), {
    ...appleOptionsFor(io.env),
    switchHint: CLI_SWITCH_HINT,
    key,
  });
  const facts = OUTCOME[report.outcome];
  const exit = EXIT[facts.exit];
  if (json) {
    io.out(JSON.stringify(capabilitiesJson(report)));
  } else {
    const lines = capabilityLines(report);
    if (exit === EXIT.ok) lines.forEach((line) => io.out(line));
    else io.err(report.message);
  }
  if (exit === EXIT.ok) {
    for (const conclusion of report.conclusions) if (conclusion.level === "warn") io.err(`warning: ${conclusion.text}`);
  }
  if (facts.cliWarning) io.err(`warning: ${facts.cliWarning}`);
  return exit;
}

/** The text of `verify --capabilities`: one line per area, then the informative conclusions. */
function capabilityLines(report: CapabilityReport): string[] {
  const width = Math.max(...AREAS.map((area) => AREA_TITLES[area].length));
  const lines = [`What key ${report.keyId} can do (${report.requests} requests):`];
  if (report.recordedRole) lines.push(`  Role: ${report.recordedRole}`);
  for (const area of AREAS) {
    const result = report.areas[area];
    if (!result) continue;
    const paths = PROBES.filter((probe) => probe.area === area)
      .map((probe) => probe.path.split("?")[0])
      .join(", ");
    const why = result.answer === "unknown" ? ` (${result.reason})` : "";
    lines.push(`  ${AREA_TITLES[area].padEnd(width)}  ${result.answer.padEnd(7)}  GET ${paths}${why}`);
  }
  for (const conclusion of report.conclusions) if (conclusion.level === "info") lines.push(conclusion.text);
  return lines;
}

/** The documented `verify --capabilities --json` shape. */
function capabilitiesJson(report: CapabilityReport): Record<string, unknown> {
  const json: Record<string, unknown> = { outcome: report.outcome, message: report.message, keyId: report.keyId };
  const areas: Record<string, unknown> = {};
  for (const area of AREAS) {
    const result = report.areas[area];
    if (!result) continue;
    const entry: Record<string, unknown> = { answer: result.answer };
    if (result.cause) entry.cause = result.cause;
    if (result.reason) entry.reason = result.reason;
    if (result.httpStatus !== undefined) entry.httpStatus = result.httpStatus;
    areas[area] = entry;
  }
  json.areas = areas;
  json.conclusions = report.conclusions.map(({ id, level, text, sources }) => ({ id, level, text, sources }));
  if (report.recordedRole) json.recordedRole = report.recordedRole;
  json.requests = report.requests;
  if (report.rateLimitRemaining !== undefined) json.rateLimitRemaining = report.rateLimitRemaining;
  if (report.clockOffsetSeconds !== undefined) json.clockOffsetSeconds = report.clockOffsetSeconds;
  json.checkedAt = report.checkedAt;
  return json;
}
