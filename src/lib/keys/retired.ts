/**
 * Retired keys: when a rotation or replacement takes a saved key's place, the old key's material is kept (its own
 * item, `retired-<Key ID>`, and a non-secret line in the list of retired keys, src/lib/keychain/retired.ts) only to
 * ask Apple whether it still works, until two refusals prove it revoked (src/lib/apple/revocation.ts) and its material is
 * deleted, leaving one sentence. A retired key is never listed among the saved keys, never offered for LingCode and
 * never used for a token, `exec` or export: nothing here hands its record to anyone but `checkKey`. docs/revocation.md.
 *
 * Every change runs holding the saved keys' lock, the list read again inside it. Order of writes, so that a retired
 * item is always reachable from the list: retiring writes the line, then the item, then (the caller) removes the old
 * `key-<ID>` item and its line; a proof records the proving check in the line, then deletes the item, then turns
 * the line into the revoked record; forgetting deletes the item, then the line.
 */
import { checkKey, type CheckOptions, type CheckResult, type SubtitleClock, OUTCOME } from "../apple";
import { AscKeyError } from "../errors";
import type { KeyStore } from "../keychain";
import type { RetiredLine, RetiredListLine } from "../keychain/retired";
import type { KeyRecord } from "../record";
import {
  addRetiredCheck,
  JUST_RETIRED,
  retiredKeySentence,
  MIN_REQUESTS_LEFT,
  retiredKeyState,
  revocationStepDue,
  revokedRecord,
  revokeStep,
  unprovenNote,
  type RetiredCheck,
  type RetiredKeyState,
} from "../apple";
import { summarize, type KeySummary } from "../status";

/** A retired key as every face shows it: nothing secret. */
export interface RetiredKeyView {
  keyId: string;
  /** The name it had as a saved key; undefined once proven revoked (only the record is left). */
  name?: string;
  state: RetiredKeyState;
  /** "Key ABC1234DEF still works at Apple (checked 09:14): revoke it on Team Keys", and the others. */
  sentence: string;
  /** Why the latest check proved nothing, when it did. */
  note?: string;
  /** When it was retired (ISO 8601); undefined once proven revoked. */
  retiredAt?: string;
}

function viewOf(line: RetiredListLine, clock: SubtitleClock): RetiredKeyView {
  if (line.state === "revoked") {
    const state: RetiredKeyState = { state: "revoked", refusedAt: line.refusedAt };
    return { keyId: line.keyId, state, sentence: retiredKeySentence(line.keyId, state, clock) };
  }
  const state = retiredKeyState(line.checks);
  const view: RetiredKeyView = {
    keyId: line.keyId,
    name: line.name,
    state,
    sentence: retiredKeySentence(line.keyId, state, clock),
    retiredAt: line.retiredAt,
  };
  const note = unprovenNote(state, clock);
  if (note) view.note = note;
  return view;
}

/**
 * The retired keys, from their list alone (one read, no secret; none when `read` is the list read already). A line
 * whose history proves it revoked while its item is still there (a proof a crash interrupted) is finished first.
 */
export async function listRetiredKeys(
  store: KeyStore,
  clock: SubtitleClock = {},
  read?: RetiredListLine[],
): Promise<RetiredKeyView[]> {
  let lines = await reconcile(store, read ?? (await store.retired.readList()));
  if (lines.some((line) => line.state === "retired" && retiredKeyState(line.checks).state === "revoked")) {
    lines = await store.saved.locked(async () => {
      const now = await store.retired.readList();
      for (const line of now) if (line.state === "retired") await finishIfProven(store, now, line);
      return now;
    });
  }
  return lines.map((line) => viewOf(line, clock));
}

/** A proven line: its item deleted, then the line turned into the revoked record (in `lines`, written). */
async function finishIfProven(store: KeyStore, lines: RetiredListLine[], line: RetiredLine): Promise<boolean> {
  const record = revokedRecord(line.keyId, retiredKeyState(line.checks));
  if (!record) return false;
  await store.retired.deleteItem(line.keyId);
  const at = lines.findIndex((other) => other.keyId === line.keyId);
  lines[at] = { state: "revoked", ...record };
  await store.retired.writeList(lines);
  return true;
}

/**
 * Keeps `record` (the key a rotation or replacement takes out of use) as a retired key: its line first, then its
 * item; the caller then removes or replaces its `key-<ID>` item. Holds the saved keys' lock. Nothing is written for
 * a key retired already with the same material.
 */
export function retireKey(store: KeyStore, record: KeyRecord, name: string, now = Date.now()): Promise<void> {
  return store.saved.locked(async () => {
    const summary = summarize(record) as KeySummary;
    const lines = await store.retired.readList();
    const at = lines.findIndex((line) => line.keyId === record.keyId);
    const before = at === -1 ? undefined : lines[at];
    if (before?.state === "retired" && before.fingerprint === summary.fingerprint) return;
    const line: RetiredListLine = {
      state: "retired",
      keyId: record.keyId,
      kind: record.kind,
      fingerprint: summary.fingerprint,
      name,
      retiredAt: new Date(now).toISOString(),
      checks: [],
    };
    if (summary.issuerIdSuffix) line.issuerIdSuffix = summary.issuerIdSuffix;
    const next = at === -1 ? [...lines, line] : lines.map((other, i) => (i === at ? line : other));
    await writeListMakingRoom(store, next);
    await store.retired.writeItem(record, name);
  });
}

/** Writes the list; when it no longer fits, the oldest revoked records (sentences only) make room first. */
async function writeListMakingRoom(store: KeyStore, lines: RetiredListLine[]): Promise<void> {
  const kept = [...lines];
  for (;;) {
    try {
      await store.retired.writeList(kept);
      return;
    } catch (error) {
      const revoked = kept.findIndex((line) => line.state === "revoked");
      if (!(error instanceof AscKeyError && error.code === "keychain-too-long") || revoked === -1) throw error;
      kept.splice(revoked, 1);
    }
  }
}

/**
 * A retired key registered again is a saved key once more: a retired line whose Key ID and fingerprint a usable
 * line of the saved keys' index has (read only when there are retired lines, so a registration costs nothing here)
 * loses its retired item, then its line. Holds the saved keys' lock. Returns the lines left.
 */
async function reconcile(store: KeyStore, lines: RetiredListLine[]): Promise<RetiredListLine[]> {
  if (!lines.some((line) => line.state === "retired")) return lines;
  const index = await store.saved.readIndex();
  const saved = new Set(
    index.pages.flatMap((page) => page.lines.map((line) => `${line.keyId} ${line.fingerprint ?? ""}`)),
  );
  const again = (line: RetiredListLine) => line.state === "retired" && saved.has(`${line.keyId} ${line.fingerprint}`);
  if (!lines.some(again)) return lines;
  return store.saved.locked(async () => {
    const now = await store.retired.readList();
    const gone = now.filter(again);
    for (const line of gone) await store.retired.deleteItem(line.keyId);
    const left = now.filter((line) => !gone.includes(line));
    await store.retired.writeList(left);
    return left;
  });
}

/** One retired key's part of a check run. */
interface RetiredCheckReport extends RetiredKeyView {
  /** Whether a request was sent with it in this run (none when the run could prove nothing anyway). */
  asked: boolean;
  /** This run proved it revoked: its material was deleted from the Keychain. */
  provenNow?: boolean;
}

interface RetiredCheckOptions extends CheckOptions {
  clock?: SubtitleClock;
}

/**
 * Checks every retired key not yet proven revoked, one request each (the validity check's), in a run where Apple
 * answered `current` for the key LingCode uses (undefined: LingCode uses no key). No request is sent when `current`
 * was not accepted (the run could prove nothing) or reported fewer than 20 requests left this hour. Each answer is
 * recorded in the key's line; a proof deletes its material. Returns every retired key, proven ones included.
 */
export async function checkRetiredKeys(
  store: KeyStore,
  current: Pick<CheckResult, "outcome" | "rateLimitRemaining" | "checkedAt"> | undefined,
  options: RetiredCheckOptions = {},
): Promise<RetiredCheckReport[]> {
  const { clock = {}, ...checkOptions } = options;
  const lines = await reconcile(store, await store.retired.readList());
  const pending = lines.filter((line): line is { state: "retired" } & RetiredLine => line.state === "retired");
  const skip = skipReason(current);
  const answers = new Map<string, RetiredCheck>();
  if (!skip) {
    for (const line of pending) {
      const item = await store.retired.readItem(line.keyId);
      if (!item || item.record.keyId !== line.keyId) continue;
      const result = await checkKey(item.record, checkOptions);
      const check: RetiredCheck = { outcome: result.outcome, checkedAt: result.checkedAt };
      if (result.appleDate) check.appleDate = result.appleDate;
      if (current) check.current = current.outcome;
      answers.set(line.keyId, check);
    }
  }
  const proven = new Set<string>();
  let now = lines;
  if (answers.size > 0) {
    now = await store.saved.locked(async () => {
      const fresh = await store.retired.readList();
      const updated = fresh.map((line) => {
        const check = answers.get(line.keyId);
        return line.state === "retired" && check ? { ...line, checks: addRetiredCheck(line.checks, check) } : line;
      });
      // The proving check is recorded in the line first; then the item goes and the line becomes the record.
      await store.retired.writeList(updated);
      for (const line of updated) {
        if (line.state === "retired" && (await finishIfProven(store, updated, line))) proven.add(line.keyId);
      }
      return updated;
    });
  }
  return now.map((line) => {
    const view = viewOf(line, clock);
    const report: RetiredCheckReport = { ...view, asked: answers.has(line.keyId) };
    if (proven.has(line.keyId)) report.provenNow = true;
    if (skip && line.state === "retired") report.note = skipNote(skip, current, clock);
    return report;
  });
}

type Skip = "no-current-key" | "current-unusable" | "quota";

function skipReason(current: Pick<CheckResult, "outcome" | "rateLimitRemaining"> | undefined): Skip | undefined {
  if (!current) return "no-current-key";
  if (!OUTCOME[current.outcome].usable) return "current-unusable";
  if (current.rateLimitRemaining !== undefined && current.rateLimitRemaining < MIN_REQUESTS_LEFT) return "quota";
  return undefined;
}

function skipNote(
  skip: Skip,
  current: Pick<CheckResult, "outcome" | "checkedAt"> | undefined,
  clock: SubtitleClock,
): string {
  switch (skip) {
    case "no-current-key":
      return "Not checked: LingCode uses no key to compare with, so a refusal would prove nothing.";
    case "quota":
      return "Not checked: fewer than 20 requests to App Store Connect are left this hour.";
    case "current-unusable": {
      const reason = current?.outcome === "rejected" ? "current-refused" : "current-unanswered";
      const at = current?.checkedAt ?? new Date(clock.now ?? Date.now()).toISOString();
      const note = unprovenNote({ state: "pending", refusedAt: [], unproven: { reason, at } }, clock) ?? "";
      // The retired key was not asked at all: say so, with the same reason.
      return note.replace(/^The check at (.*?) proved nothing: /, "Not checked at $1: ");
    }
  }
}

/**
 * Forget without proof (for a user who cannot revoke it): deletes the retired key's item, then its line; also drops
 * a revoked key's record (Dismiss). Holds the saved keys' lock. Throws key-unknown for a Key ID with no retired key.
 */
export function forgetRetiredKey(store: KeyStore, keyId: string): Promise<RetiredKeyView> {
  return store.saved.locked(async () => {
    const lines = await store.retired.readList();
    const wanted = keyId.trim().toUpperCase();
    const line = lines.find((other) => other.keyId === wanted);
    if (!line) {
      const known = lines.map((other) => other.keyId).join(", ");
      throw new AscKeyError(
        "key-unknown",
        `No retired key has that Key ID; ${known ? `the retired keys are ${known}` : "there are no retired keys"}.`,
      );
    }
    if (line.state === "retired") await store.retired.deleteItem(line.keyId);
    await store.retired.writeList(lines.filter((other) => other !== line));
    return viewOf(line, {});
  });
}

/** "old key ABC1234DEF still works", for the Check API Key subtitle; undefined when none does. */
export function stillWorkingNote(keys: readonly RetiredKeyView[]): string | undefined {
  const working = keys.filter((key) => key.state.state === "still-works");
  if (working.length === 0) return undefined;
  return working.length === 1
    ? `old key ${working[0].keyId} still works`
    : `old keys ${working.map((key) => key.keyId).join(", ")} still work`;
}

/**
 * Retires the saved key a registration takes the place of (`replaced`: its summary as planned), read from its item,
 * or from LingCode's entry (`entryRecord`) when only that holds it. A key whose material cannot be found with that
 * fingerprint (a damaged item) has nothing to keep.
 */
export async function retireReplaced(
  store: KeyStore,
  replaced: Pick<KeySummary, "keyId" | "fingerprint"> & { name: string },
  entryRecord?: KeyRecord,
): Promise<void> {
  const matches = (record: KeyRecord | undefined): record is KeyRecord =>
    record !== undefined &&
    record.keyId === replaced.keyId &&
    (summarize(record) as KeySummary).fingerprint === replaced.fingerprint;
  let record = matches(entryRecord) ? entryRecord : undefined;
  if (!record) {
    const item = await store.saved.readItem(replaced.keyId).catch(() => undefined);
    if (matches(item?.record)) record = item.record;
  }
  if (record) await retireKey(store, record, replaced.name);
}

/** The step that ends a rotation, for one old key: what to do, then what proves it done. Nothing secret. */
export interface RevocationStep {
  keyId: string;
  /** "Revoke key ABC1234DEF on Team Keys." */
  step: string;
  /** The key's sentence once its state is known (about the proof: "Key ABC1234DEF not proven revoked yet: …"). */
  proof?: string;
  /** Why its latest check proved nothing, when it did. */
  note?: string;
}

/**
 * The steps that end rotations, one per old key Apple has not refused, the same in every face (API Key Status, the
 * rotation's toast, `asc-key status` and `register --rotate`): `keys` are the retired keys as read (undefined while
 * they are not read yet), `replaced` the Key IDs known to be replaced (a reminder kept by the face, a registration
 * just made). The step comes first and stays as long as it is due, whether or not the retired keys are read yet, so
 * a view never swaps it for other words: once they are read, the key's sentence (the proof) follows it. A replaced key
 * not among the retired keys keeps its step alone; one Apple has refused has none (its sentence says what is left).
 */
export function revocationSteps(
  keys: readonly RetiredKeyView[] | undefined,
  replaced: readonly string[] = [],
): RevocationStep[] {
  const steps: RevocationStep[] = [];
  const known = new Set((keys ?? []).map((key) => key.keyId));
  for (const keyId of replaced) {
    if (!known.has(keyId) && !steps.some((step) => step.keyId === keyId)) {
      steps.push({ keyId, step: revokeStep(keyId) });
    }
  }
  for (const key of keys ?? []) {
    if (!revocationStepDue(key.state)) continue;
    const step: RevocationStep = { keyId: key.keyId, step: revokeStep(key.keyId), proof: key.sentence };
    if (key.note) step.note = key.note;
    steps.push(step);
  }
  return steps;
}

/** The step after a registration that replaced key `keyId`, kept as a retired key just now: nothing refused it yet. */
export function stepAfterReplacing(keyId: string, clock: SubtitleClock = {}): RevocationStep & { proof: string } {
  return { keyId, step: revokeStep(keyId), proof: retiredKeySentence(keyId, JUST_RETIRED, clock) };
}
