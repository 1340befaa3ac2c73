import { usePromise } from "@raycast/utils";
import os from "node:os";
import type { RememberedCheck } from "../lib/apple";
import {
  appleLine,
  clockLine,
  findLeftoverKeyFiles,
  keyAgeLine,
  leftoverFilesLine,
  type HealthLine,
} from "../lib/health";
import type { KeySummary } from "../lib/status";

interface KeyHealth {
  lines: HealthLine[];
  /** Copies of the saved key's .p8 left on disk (Downloads, Desktop, the private_keys folders). */
  leftovers: string[];
}

/** Where the fix for a leftover .p8 is in this view. */
const TRASH_FIX = "Move Leftover Key Files to Trash removes it";

async function loadHealth(summary: KeySummary, check: RememberedCheck | undefined, rotateAfter: number | undefined) {
  const home = os.homedir();
  const leftovers = await findLeftoverKeyFiles(home, summary.keyId);
  // The Apple and clock lines come from the last check of this key: this view sends no request for them.
  const last = check?.keyId === summary.keyId ? check : undefined;
  const lines: HealthLine[] = [leftoverFilesLine(leftovers, home, TRASH_FIX)];
  if (last) lines.push(withoutCliFix(appleLine(last)), withoutCliFix(clockLine(last)));
  lines.push(withoutCliFix(keyAgeLine(summary, Date.now(), rotateAfter ?? 0)));
  return { lines, leftovers } satisfies KeyHealth;
}

/** The core's fixes for these lines name asc-key commands; this view offers its own actions instead. */
function withoutCliFix(line: HealthLine): HealthLine {
  return line.fix && /asc-key/.test(line.fix) ? { ...line, fix: undefined } : line;
}

/** The saved key's health, from the disk and what is remembered: no Keychain read, no request to Apple. */
export function useKeyHealth(
  summary: KeySummary | undefined,
  check: RememberedCheck | undefined,
  rotateAfter?: number,
) {
  return usePromise(
    (s: KeySummary | undefined, c: RememberedCheck | undefined, r: number | undefined) =>
      s ? loadHealth(s, c, r) : Promise.resolve(undefined),
    [summary, check, rotateAfter],
    { onError: () => undefined },
  );
}
