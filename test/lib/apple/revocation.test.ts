import { describe, expect, it } from "vitest";
import { formatCheckedAt, type SubtitleClock } from "../../../src/lib/apple/summary";
import type { Outcome } from "../../../src/lib/apple/outcomes";
import {
  addRetiredCheck,
  parseRetiredChecks,
  parseRevokedKey,
  PROOF_GAP_MS,
  retiredKeySentence,
  retiredKeyState,
  revokedRecord,
  revokedSentence,
  unprovenNote,
  type RetiredCheck,
  type RetiredKeyState,
} from "../../../src/lib/apple/revocation";

const KEY = "ABC1234DEF";
/** 09:14 UTC: the first check of every history. */
const T0 = Date.parse("2026-12-07T09:14:00.000Z");
const S = 1000;
const M = 60 * S;
const CLOCK: SubtitleClock = { now: T0 + 60 * M, timeZone: "UTC" };
const at = (ms: number) => new Date(T0 + ms).toISOString();

/**
 * One run: the retired key's outcome, Apple's `Date` on it (ms after T0; null: no Date), the key LingCode uses
 * (null: LingCode uses no key) and this computer's clock (ms after T0; default: Apple's time).
 */
function run(
  outcome: Outcome,
  apple: number | null,
  current: Outcome | null = "valid",
  local: number = apple ?? 0,
): RetiredCheck {
  const check: RetiredCheck = { outcome, checkedAt: at(local) };
  if (apple !== null) check.appleDate = at(apple);
  if (current !== null) check.current = current;
  return check;
}
const refused = (apple: number | null, current: Outcome | null = "valid", local?: number) =>
  run("rejected", apple, current, local);

type Case = [name: string, history: RetiredCheck[], expected: RetiredKeyState];

const CASES: Case[] = [
  ["never checked: pending, nothing refused", [], { state: "pending", refusedAt: [] }],
  ["Apple accepts it: still works", [run("valid", 0)], { state: "still-works", checkedAt: at(0) }],
  ...(["role-limited", "agreement-required", "rate-limited"] as const).map((outcome): Case => [
    `Apple answers ${outcome}: still works`,
    [run(outcome, 0)],
    { state: "still-works", checkedAt: at(0) },
  ]),
  [
    "still works even while the key LingCode uses is refused (an accepted answer is proof enough)",
    [run("valid", 0, "rejected")],
    { state: "still-works", checkedAt: at(0) },
  ],
  [
    "Apple's Date as the header writes it (an HTTP date) reads the same",
    [{ outcome: "valid", appleDate: "Mon, 07 Dec 2026 09:14:00 GMT", checkedAt: at(2 * M), current: "valid" }],
    { state: "still-works", checkedAt: at(0) },
  ],
  [
    "accepted without a Date: the time is this computer's",
    [run("valid", null, "valid", 3 * M)],
    { state: "still-works", checkedAt: at(3 * M) },
  ],
  ["a single refusal is not proof", [refused(0)], { state: "pending", refusedAt: [at(0)], provableFrom: at(10 * M) }],
  [
    "two refusals 9 min 59 s apart are not proof",
    [refused(0), refused(10 * M - S)],
    { state: "pending", refusedAt: [at(0), at(10 * M - S)], provableFrom: at(10 * M) },
  ],
  [
    "two refusals with the same Date (two runs within a second) are one time",
    [refused(0), refused(0, "valid", 30 * S)],
    { state: "pending", refusedAt: [at(0)], provableFrom: at(10 * M) },
  ],
  [
    "two refusals exactly 10 minutes apart are proof",
    [refused(0), refused(10 * M)],
    { state: "revoked", refusedAt: [at(0), at(10 * M)] },
  ],
  [
    "two refusals 17 minutes apart are proof",
    [refused(0), refused(17 * M)],
    { state: "revoked", refusedAt: [at(0), at(17 * M)] },
  ],
  [
    "three refusals: the third, 10 minutes after the first, proves it",
    [refused(0), refused(6 * M), refused(10 * M)],
    { state: "revoked", refusedAt: [at(0), at(10 * M)] },
  ],
  [
    "Apple's clock decides, not this computer's: 15 minutes apart here, 5 by Apple's Date",
    [refused(0, "valid", 0), refused(5 * M, "valid", 15 * M)],
    { state: "pending", refusedAt: [at(0), at(5 * M)], provableFrom: at(10 * M) },
  ],
  [
    "Apple's clock decides, not this computer's: 1 minute apart here (the clock was set back), 12 by Apple's Date",
    [refused(0, "valid", 30 * M), refused(12 * M, "valid", 31 * M)],
    { state: "revoked", refusedAt: [at(0), at(12 * M)] },
  ],
  [
    "Apple's answers out of order still need 10 minutes between them",
    [refused(12 * M), refused(2 * M)],
    { state: "revoked", refusedAt: [at(2 * M), at(12 * M)] },
  ],
  [
    "while Apple is down (server-error), nothing is proven",
    [refused(0), run("server-error", 20 * M)],
    {
      state: "pending",
      refusedAt: [at(0)],
      provableFrom: at(10 * M),
      unproven: { reason: "apple-error", at: at(20 * M) },
    },
  ],
  [
    "while Apple is unreachable, nothing is proven (no answer, so this computer's time)",
    [refused(0), run("unreachable", null, "unreachable", 20 * M)],
    {
      state: "pending",
      refusedAt: [at(0)],
      provableFrom: at(10 * M),
      unproven: { reason: "unreachable", at: at(20 * M) },
    },
  ],
  [
    "while the key LingCode uses is refused too, nothing is proven",
    [refused(0, "rejected"), refused(20 * M, "rejected")],
    { state: "pending", refusedAt: [], unproven: { reason: "current-refused", at: at(20 * M) } },
  ],
  [
    "one good refusal, then one while the key LingCode uses is refused too: still one",
    [refused(0), refused(20 * M, "rejected")],
    {
      state: "pending",
      refusedAt: [at(0)],
      provableFrom: at(10 * M),
      unproven: { reason: "current-refused", at: at(20 * M) },
    },
  ],
  ...(["server-error", "unreachable"] as const).map((current): Case => [
    `refused while the key LingCode uses got ${current}: nothing is proven`,
    [refused(0), refused(20 * M, current)],
    {
      state: "pending",
      refusedAt: [at(0)],
      provableFrom: at(10 * M),
      unproven: { reason: "current-unanswered", at: at(20 * M) },
    },
  ]),
  [
    "refused while LingCode uses no key: nothing is proven",
    [refused(0, null), refused(20 * M, null)],
    { state: "pending", refusedAt: [], unproven: { reason: "no-current-key", at: at(20 * M) } },
  ],
  [
    "refused without Apple's Date: nothing is proven (Apple's clock cannot place it)",
    [refused(null, "valid", 0), refused(null, "valid", 20 * M)],
    { state: "pending", refusedAt: [], unproven: { reason: "no-apple-date", at: at(20 * M) } },
  ],
  [
    "an accepted answer wipes out the refusals before it",
    [refused(0), run("valid", 5 * M), refused(12 * M)],
    { state: "pending", refusedAt: [at(12 * M)], provableFrom: at(22 * M) },
  ],
  [
    "refused once, then accepted: still works (Apple's 401 for a valid key, now and then)",
    [refused(0), run("valid", 12 * M)],
    { state: "still-works", checkedAt: at(12 * M) },
  ],
  [
    "still works, then a run that proves nothing: still works, with the note",
    [run("valid", 0), run("server-error", 30 * M)],
    { state: "still-works", checkedAt: at(0), unproven: { reason: "apple-error", at: at(30 * M) } },
  ],
  [
    "a run that proves nothing does not break the proof around it",
    [refused(0), run("unreachable", null, "unreachable", 5 * M), refused(11 * M)],
    { state: "revoked", refusedAt: [at(0), at(11 * M)] },
  ],
  [
    "proof is final: what came after it does not undo it",
    [refused(0), refused(10 * M), run("valid", 20 * M)],
    { state: "revoked", refusedAt: [at(0), at(10 * M)] },
  ],
];

describe("retiredKeyState", () => {
  it.each(CASES)("%s", (_name, history, expected) => {
    expect(retiredKeyState(history)).toStrictEqual(expected);
  });

  it("the gap is 10 minutes", () => {
    expect(PROOF_GAP_MS).toBe(10 * M);
  });
});

describe("addRetiredCheck", () => {
  it.each(CASES)("keeps what the state depends on: %s", (_name, history) => {
    let kept: RetiredCheck[] = [];
    history.forEach((check, index) => {
      kept = addRetiredCheck(kept, check);
      expect(kept.length).toBeLessThanOrEqual(4);
      expect(retiredKeyState(kept)).toStrictEqual(retiredKeyState(history.slice(0, index + 1)));
    });
  });

  it("stays small however often the key is checked", () => {
    let kept: RetiredCheck[] = [];
    for (let i = 0; i < 200; i += 1) {
      const outcomes: Outcome[] = ["valid", "server-error", "unreachable"];
      kept = addRetiredCheck(kept, run(outcomes[i % 3], i * M));
      kept = addRetiredCheck(kept, refused(i * M + 30 * S, "rejected"));
    }
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(retiredKeyState(kept)).toMatchObject({ state: "still-works", checkedAt: at(198 * M) });
  });

  it("keeps the earliest refusal, so one more far enough from it proves the key revoked", () => {
    let kept: RetiredCheck[] = [];
    for (const minute of [0, 2, 4, 6, 8]) kept = addRetiredCheck(kept, refused(minute * M));
    expect(retiredKeyState(kept)).toMatchObject({ state: "pending", refusedAt: [at(0), at(8 * M)] });
    kept = addRetiredCheck(kept, refused(10 * M));
    expect(retiredKeyState(kept)).toStrictEqual({ state: "revoked", refusedAt: [at(0), at(10 * M)] });
  });
});

describe("the sentences", () => {
  it("still works, with the time it was checked", () => {
    expect(retiredKeySentence(KEY, retiredKeyState([run("valid", 0)]), CLOCK)).toBe(
      "Key ABC1234DEF still works at Apple (checked 09:14): revoke it on Team Keys",
    );
  });

  it("revoked, with Apple's two times", () => {
    const state = retiredKeyState([refused(0), refused(17 * M)]);
    expect(retiredKeySentence(KEY, state, CLOCK)).toBe("Key ABC1234DEF revoked: Apple refused it at 09:14 and 09:31.");
  });

  it("pending: what is still missing, and from when one more refusal proves it", () => {
    expect(retiredKeySentence(KEY, retiredKeyState([]), CLOCK)).toBe(
      "Key ABC1234DEF not proven revoked yet: once it is revoked on Team Keys, two refusals by Apple at least 10 minutes apart prove it.",
    );
    expect(retiredKeySentence(KEY, retiredKeyState([refused(0)]), CLOCK)).toBe(
      "Key ABC1234DEF not proven revoked yet: Apple refused it at 09:14; one more refusal at 09:24 or later proves it.",
    );
    expect(retiredKeySentence(KEY, retiredKeyState([refused(0), refused(6 * M)]), CLOCK)).toBe(
      "Key ABC1234DEF not proven revoked yet: Apple refused it at 09:14 and 09:20; one more refusal at 09:24 or later proves it.",
    );
  });

  it("times are formatted as the Check API Key subtitle formats them (time zone, another day)", () => {
    const state = retiredKeyState([refused(0), refused(17 * M)]);
    const paris: SubtitleClock = { now: T0, timeZone: "Europe/Paris" };
    expect(retiredKeySentence(KEY, state, paris)).toBe("Key ABC1234DEF revoked: Apple refused it at 10:14 and 10:31.");
    const nextDay: SubtitleClock = { now: T0 + 24 * 60 * M, timeZone: "UTC" };
    expect(retiredKeySentence(KEY, state, nextDay)).toBe(
      `Key ABC1234DEF revoked: Apple refused it at ${formatCheckedAt(at(0), nextDay)} and ${formatCheckedAt(at(17 * M), nextDay)}.`,
    );
    expect(formatCheckedAt(at(0), nextDay)).toBe("Dec 7, 09:14");
  });

  it("a run that proved nothing gets its own note; a counting run clears it", () => {
    expect(unprovenNote(retiredKeyState([refused(0), refused(20 * M, "rejected")]), CLOCK)).toBe(
      "The check at 09:34 proved nothing: Apple refused the key LingCode uses too.",
    );
    expect(unprovenNote(retiredKeyState([refused(0), run("server-error", 20 * M)]), CLOCK)).toBe(
      "The check at 09:34 proved nothing: App Store Connect answered with an error.",
    );
    expect(unprovenNote(retiredKeyState([run("unreachable", null, "unreachable", 0), refused(5 * M)]), CLOCK)).toBe(
      undefined,
    );
    expect(unprovenNote(retiredKeyState([refused(0), refused(10 * M)]), CLOCK)).toBeUndefined();
  });
});

describe("the record that remains after proof", () => {
  it("is made only from a revoked state, says the same sentence, and survives a round trip through JSON", () => {
    expect(revokedRecord(KEY, retiredKeyState([refused(0)]))).toBeUndefined();
    expect(revokedRecord(KEY, retiredKeyState([run("valid", 0)]))).toBeUndefined();
    const state = retiredKeyState([refused(0), refused(17 * M)]);
    const record = revokedRecord(KEY, state)!;
    expect(record).toStrictEqual({ keyId: KEY, refusedAt: [at(0), at(17 * M)] });
    expect(revokedSentence(record, CLOCK)).toBe(retiredKeySentence(KEY, state, CLOCK));
    expect(parseRevokedKey(JSON.parse(JSON.stringify(record)))).toStrictEqual(record);
  });

  it.each<[string, unknown]>([
    ["not an object", "ABC1234DEF"],
    ["null", null],
    ["no Key ID", { refusedAt: [at(0), at(17 * M)] }],
    ["a Key ID with terminal controls", { keyId: "ABC\u001b[2J", refusedAt: [at(0), at(17 * M)] }],
    ["one time", { keyId: KEY, refusedAt: [at(0)] }],
    ["not times", { keyId: KEY, refusedAt: ["09:14", "09:31"] }],
    ["times too close to be a proof", { keyId: KEY, refusedAt: [at(0), at(9 * M)] }],
    ["times out of order", { keyId: KEY, refusedAt: [at(17 * M), at(0)] }],
  ])("a damaged record is not one: %s", (_name, value) => {
    expect(parseRevokedKey(value)).toBeUndefined();
  });
});

describe("parseRetiredChecks", () => {
  it("reads back what was kept, field for field", () => {
    const history = [run("valid", 0), refused(5 * M), refused(null, null, 7 * M)];
    expect(parseRetiredChecks(JSON.parse(JSON.stringify(history)))).toStrictEqual(history);
  });

  it("drops entries this version does not read, so a damaged record never proves anything", () => {
    const good = refused(0);
    const damaged = [
      null,
      "rejected",
      { outcome: "revoked", checkedAt: at(0) },
      { outcome: "rejected" },
      { outcome: "rejected", checkedAt: at(0), appleDate: "soon", current: "valid" },
      { outcome: "rejected", checkedAt: at(20 * M), appleDate: at(20 * M), current: "fine" },
      good,
    ];
    expect(parseRetiredChecks(damaged)).toStrictEqual([good]);
    expect(retiredKeyState(parseRetiredChecks(damaged)).state).toBe("pending");
    expect(parseRetiredChecks({ checks: [] })).toStrictEqual([]);
    expect(parseRetiredChecks(undefined)).toStrictEqual([]);
  });
});
