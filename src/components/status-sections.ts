/**
 * The parts of API Key Status below the headline, as Markdown: what the key can do (as last asked) and its health.
 * Plain functions over non-secret data, so what they say is tested without rendering.
 */
import { formatAge, AREA_TITLES, AREAS, type CapabilityReport } from "../lib/apple";
import type { HealthLevel, HealthLine } from "../lib/health";

const ANSWER_WORDS = { yes: "Yes", no: "No", unknown: "Unknown" } as const;

/** "What This Key Can Do": one row per area, then the conclusions Apple's pages back. */
export function capabilitiesMarkdown(report: CapabilityReport | undefined, keyId: string, now = Date.now()): string {
  const heading = "## What This Key Can Do";
  if (!report || report.keyId !== keyId) {
    return `${heading}\n\nNot checked yet: **Check What the Key Can Do** asks Apple once per area (at most six read-only requests).`;
  }
  const rows = AREAS.flatMap((area) => {
    const result = report.areas[area];
    if (!result) return [];
    const why = result.answer === "unknown" && result.reason ? ` (${result.reason})` : "";
    return [`| ${AREA_TITLES[area]} | ${ANSWER_WORDS[result.answer]}${why} |`];
  });
  const table = rows.length > 0 ? ["| Area | Allowed |", "| --- | --- |", ...rows].join("\n") : report.message;
  const conclusions = report.conclusions.map((conclusion) =>
    conclusion.level === "warn" ? `- **${conclusion.text}**` : `- ${conclusion.text}`,
  );
  // The role recorded from Team Keys, beside what Apple showed.
  const role = report.recordedRole ? `Role: ${report.recordedRole}.` : "";
  return [`${heading}\n\nChecked ${formatAge(report.checkedAt, now)}.`, role, table, conclusions.join("\n")]
    .filter(Boolean)
    .join("\n\n");
}

const LEVEL_WORDS: Record<HealthLevel, string> = { pass: "✓", warn: "⚠︎", fail: "✗" };

/** "Health": each line pass, warn or fail, with its fix when there is one for this view. */
export function healthMarkdown(lines: readonly HealthLine[]): string {
  if (lines.length === 0) return "";
  const items = lines.map((line) => {
    const fix = line.fix ? ` ${line.fix}.` : "";
    return `- ${LEVEL_WORDS[line.level]} ${line.text}${fix}`;
  });
  return ["## Health", items.join("\n")].join("\n\n");
}
