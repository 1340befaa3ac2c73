import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { checkKey, type CheckResult } from "../../../src/lib/apple";
import type { Outcome } from "../../../src/lib/apple/outcomes";
import {
  ageInDays,
  checkSubtitle,
  failedCheckSubtitle,
  formatAge,
  formatCheckedAt,
  type RememberedCheck,
  rememberCheck,
  type SubtitleClock,
  UNREADABLE_ENTRY_SUBTITLE,
} from "../../../src/lib/apple/summary";
import { AscKeyError } from "../../../src/lib/errors";
import { clearTokenCache } from "../../../src/lib/token";
import { type AppleStandIn, startAppleStandIn } from "../../support/apple-stand-in";
import { makeRecord } from "../../support/keys";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");
/** The subtitle's clock in these tests: NOW, in UTC (the format's default locale, en-US with a 24-hour clock). */
const CLOCK: SubtitleClock = { now: NOW, timeZone: "UTC" };
const KEY = "ABC1234DEF";
const OTHER = "ZYX9876WVU";
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const ago = (ms: number) => new Date(NOW - ms).toISOString();
/** "09:14" in UTC, from Intl directly. */
const utcTime = (ms: number) =>
  new Date(ms).toLocaleTimeString("en-US", { timeZone: "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function remembered(outcome: Outcome, ageMs: number, keyId = KEY): RememberedCheck {
  return { keyId, outcome, message: `sentence for ${outcome}`, checkedAt: ago(ageMs) };
}

describe("rememberCheck", () => {
  it("keeps Key ID, outcome, sentence, time and quota; drops what is not worth remembering", () => {
    const check: CheckResult = {
      outcome: "valid",
      message: "Key ABC1234DEF works: App Store Connect accepted it; nothing to do.",
      httpStatus: 200,
      rateLimitRemaining: 3599,
      rateLimitLimit: 3600,
      clockOffsetSeconds: -2,
      checkedAt: ago(0),
      appleCode: "SOMETHING",
    };
    expect(rememberCheck(KEY, check)).toStrictEqual({
      keyId: KEY,
      outcome: "valid",
      message: check.message,
      checkedAt: check.checkedAt,
      rateLimitRemaining: 3599,
      rateLimitLimit: 3600,
      clockOffsetSeconds: -2,
    });
  });

  it("leaves absent optional fields out rather than undefined (survives JSON unchanged)", () => {
    const check: CheckResult = { outcome: "unreachable", message: "offline", checkedAt: ago(0) };
    const result = rememberCheck(KEY, check);
    expect(Object.keys(result).sort()).toEqual(["checkedAt", "keyId", "message", "outcome"]);
    expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
  });

  it("keeps zeros: a spent quota and an exact clock", () => {
    const check: CheckResult = {
      outcome: "rate-limited",
      message: "spent",
      checkedAt: ago(0),
      rateLimitRemaining: 0,
      clockOffsetSeconds: 0,
    };
    expect(rememberCheck(KEY, check)).toMatchObject({ rateLimitRemaining: 0, clockOffsetSeconds: 0 });
  });
});

describe("formatAge", () => {
  it.each<[number, string]>([
    [0, "just now"],
    [1 * S, "just now"],
    [59 * S, "just now"],
    [59.4 * S, "just now"],
    [59.5 * S, "1m ago"], // rounded to whole seconds first
    [60 * S, "1m ago"],
    [119 * S, "1m ago"],
    [120 * S, "2m ago"],
    [5 * M, "5m ago"],
    [59 * M + 59 * S, "59m ago"],
    [H, "1h ago"],
    [2 * H, "2h ago"],
    [2 * H + 59 * M, "2h ago"],
    [23 * H + 59 * M + 59 * S, "23h ago"],
    [D, "1d ago"],
    [D + 23 * H, "1d ago"],
    [3 * D, "3d ago"],
    [400 * D, "400d ago"],
  ])("%d ms ago → %s", (age, words) => {
    expect(formatAge(ago(age), NOW)).toBe(words);
  });

  it("a time in the future (clock changed) reads as just now", () => {
    expect(formatAge(new Date(NOW + 5 * M).toISOString(), NOW)).toBe("just now");
  });

  it("reads any ISO form Date.parse reads", () => {
    expect(formatAge("2026-11-26T10:00:00Z", NOW)).toBe("2h ago");
    expect(formatAge("2026-11-26T13:00:00+02:00", NOW)).toBe("1h ago");
  });

  describe("default clock", () => {
    beforeAll(() => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(NOW);
    });
    afterAll(() => {
      vi.useRealTimers();
    });

    it("uses Date.now", () => {
      expect(formatAge(ago(2 * H))).toBe("2h ago");
      expect(ageInDays(ago(3 * D))).toBe(3);
      const check = remembered("valid", 5 * M);
      expect(checkSubtitle(KEY, check, undefined)).toBe(checkSubtitle(KEY, check, undefined, { now: NOW }));
      expect(formatCheckedAt(ago(0))).toBe(formatCheckedAt(ago(0), { now: NOW }));
    });
  });
});

describe("formatCheckedAt", () => {
  it.each<[string, string]>([
    ["2026-11-26T12:00:00.000Z", "12:00"],
    ["2026-11-26T10:00:00.000Z", "10:00"],
    ["2026-11-26T09:14:59.999Z", "09:14"],
    ["2026-11-26T00:00:00.000Z", "00:00"],
    ["2026-11-26T12:05:00.000Z", "12:05"], // a little in the future (clock changed): still just the time
    ["2026-11-25T23:59:00.000Z", "Nov 25, 23:59"],
    ["2026-11-25T12:00:00.000Z", "Nov 25, 12:00"],
    ["2026-10-03T08:02:00.000Z", "Oct 3, 08:02"],
    ["2026-01-01T00:00:00.000Z", "Jan 1, 00:00"],
    ["2025-12-31T23:59:00.000Z", "Dec 31, 2025, 23:59"],
  ])("%s, seen at 12:00 UTC on Nov 26 → %s", (iso, words) => {
    expect(formatCheckedAt(iso, CLOCK)).toBe(words);
  });

  it("the same day in the time zone given, not in UTC", () => {
    const oneAm = "2026-11-26T01:00:00.000Z"; // seen at NOW, 12:00 UTC
    expect(formatCheckedAt(oneAm, { now: NOW, timeZone: "UTC" })).toBe("01:00");
    // Los Angeles (UTC-8): checked Nov 25 at 17:00, now Nov 26 at 04:00.
    expect(formatCheckedAt(oneAm, { now: NOW, timeZone: "America/Los_Angeles" })).toBe("Nov 25, 17:00");
    // Auckland (UTC+13 in November): checked Nov 26 at 14:00, now Nov 27 at 01:00.
    expect(formatCheckedAt(oneAm, { now: NOW, timeZone: "Pacific/Auckland" })).toBe("Nov 26, 14:00");
    expect(formatCheckedAt(ago(H), { now: NOW, timeZone: "Pacific/Auckland" })).toBe("00:00");
  });

  it("another locale's order, still 24-hour", () => {
    expect(formatCheckedAt(ago(D), { ...CLOCK, locale: "en-GB" })).toBe("25 Nov, 12:00");
    expect(formatCheckedAt(ago(0), { ...CLOCK, locale: "en-GB" })).toBe("12:00");
  });

  it("without a time zone: this machine's, as Intl gives it", () => {
    const time = new Date(NOW).toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    expect(formatCheckedAt(ago(0), { now: NOW })).toBe(time);
  });

  it("a damaged date reads as an unknown time", () => {
    expect(formatCheckedAt("not a date", CLOCK)).toBe("at an unknown time");
  });
});

describe("ageInDays", () => {
  it.each<[number, number]>([
    [0, 0],
    [D - 1, 0],
    [D, 1],
    [2 * D - 1, 1],
    [2 * D, 2],
    [90 * D + H, 90],
    [-5 * D, 0],
  ])("%d ms ago → %d days", (age, days) => {
    expect(ageInDays(ago(age), NOW)).toBe(days);
  });
});

describe("checkSubtitle", () => {
  const subtitle = (latest?: RememberedCheck, lastConclusive?: RememberedCheck) =>
    checkSubtitle(KEY, latest, lastConclusive, CLOCK);

  it("No key: nothing saved, whatever was checked before", () => {
    expect(checkSubtitle(undefined, undefined, undefined, CLOCK)).toBe("No key");
    expect(checkSubtitle(undefined, remembered("valid", H), remembered("valid", H), CLOCK)).toBe("No key");
    expect(checkSubtitle("", remembered("rejected", H), undefined, CLOCK)).toBe("No key");
  });

  it("not checked yet", () => {
    expect(subtitle()).toBe(`Key ${KEY}: not checked yet`);
  });

  it("valid", () => {
    const latest = remembered("valid", 2 * H);
    expect(subtitle(latest, latest)).toBe("Key ABC1234DEF valid, checked 10:00");
    expect(subtitle(latest, undefined)).toBe("Key ABC1234DEF valid, checked 10:00");
  });

  it("names the time of the check, so the text written then stays true while it is shown", () => {
    const check = remembered("valid", 0);
    const written = checkSubtitle(KEY, check, check, CLOCK);
    expect(written).toBe("Key ABC1234DEF valid, checked 12:00");
    expect(written).not.toMatch(/just now|ago/);
    // The same check, described 11 hours later (the next run is 12 hours after), or the next day.
    expect(checkSubtitle(KEY, check, check, { ...CLOCK, now: NOW + 11 * H })).toBe(written);
    expect(checkSubtitle(KEY, check, check, { ...CLOCK, now: NOW + 13 * H })).toBe(
      "Key ABC1234DEF valid, checked Nov 26, 12:00",
    );
  });

  it("rejected", () => {
    const latest = remembered("rejected", 5 * M);
    expect(subtitle(latest, latest)).toBe("Apple rejected key ABC1234DEF: revoked? (checked 11:55)");
  });

  it("role-limited, agreement-required, rate-limited", () => {
    expect(subtitle(remembered("role-limited", 30 * S))).toBe("Key ABC1234DEF valid, small role (checked 11:59)");
    expect(subtitle(remembered("agreement-required", D))).toBe(
      "Key ABC1234DEF valid, but an agreement needs accepting (checked Nov 25, 12:00)",
    );
    expect(subtitle(remembered("rate-limited", 3 * M))).toBe("Key ABC1234DEF valid, checked 11:57");
  });

  it("offline after a valid check keeps the valid answer with its time", () => {
    expect(subtitle(remembered("unreachable", 0), remembered("valid", 2 * H))).toBe(
      "Key ABC1234DEF valid, checked 10:00",
    );
  });

  it("a server error after a rejection keeps the rejection", () => {
    expect(subtitle(remembered("server-error", M), remembered("rejected", 3 * D))).toBe(
      "Apple rejected key ABC1234DEF: revoked? (checked Nov 23, 12:00)",
    );
  });

  it("a newer conclusive answer wins over the remembered one", () => {
    expect(subtitle(remembered("rejected", 5 * M), remembered("valid", 2 * D))).toBe(
      "Apple rejected key ABC1234DEF: revoked? (checked 11:55)",
    );
    expect(subtitle(remembered("valid", 5 * M), remembered("rejected", 2 * D))).toBe(
      "Key ABC1234DEF valid, checked 11:55",
    );
  });

  it("offline with no conclusive answer says so, with its time", () => {
    expect(subtitle(remembered("unreachable", 5 * M))).toBe("Key ABC1234DEF: not checked: offline, 11:55");
    expect(subtitle(remembered("server-error", 0))).toBe("Key ABC1234DEF: not checked: Apple had an error, 12:00");
    expect(subtitle(remembered("unreachable", 2 * D))).toBe("Key ABC1234DEF: not checked: offline, Nov 24, 12:00");
  });

  it("a check of another Key ID is ignored", () => {
    expect(subtitle(remembered("valid", H, OTHER))).toBe(`Key ${KEY}: not checked yet`);
    expect(subtitle(remembered("rejected", H, OTHER), remembered("rejected", H, OTHER))).toBe(
      `Key ${KEY}: not checked yet`,
    );
    expect(subtitle(remembered("unreachable", H, OTHER))).toBe(`Key ${KEY}: not checked yet`);
    expect(subtitle(undefined, remembered("valid", H, OTHER))).toBe(`Key ${KEY}: not checked yet`);
  });

  it("another key's latest check does not hide this key's remembered answer", () => {
    expect(subtitle(remembered("rejected", M, OTHER), remembered("valid", 2 * H))).toBe(
      "Key ABC1234DEF valid, checked 10:00",
    );
    expect(subtitle(remembered("valid", M), remembered("rejected", M, OTHER))).toBe(
      "Key ABC1234DEF valid, checked 11:59",
    );
  });

  it("offline for this key after a conclusive answer for another key: offline, not the other key's answer", () => {
    expect(subtitle(remembered("unreachable", 5 * M), remembered("rejected", H, OTHER))).toBe(
      "Key ABC1234DEF: not checked: offline, 11:55",
    );
  });
});

describe("failedCheckSubtitle", () => {
  const locked = new AscKeyError("keychain-locked", "The keyring is locked and could not be unlocked.");

  it.each(["record-corrupt", "record-version"] as const)(
    "%s: the saved entry is unreadable, whatever was checked before",
    (code) => {
      const error = new AscKeyError(code, "unreadable");
      expect(UNREADABLE_ENTRY_SUBTITLE).toBe("Saved key entry unreadable: register again");
      expect(failedCheckSubtitle(error, undefined, CLOCK)).toBe(UNREADABLE_ENTRY_SUBTITLE);
      expect(failedCheckSubtitle(error, remembered("valid", H), CLOCK)).toBe(UNREADABLE_ENTRY_SUBTITLE);
    },
  );

  it("the Keychain did not answer: says when, and keeps the last conclusive answer with its time", () => {
    expect(failedCheckSubtitle(locked, remembered("valid", 3 * H + 58 * M), CLOCK)).toBe(
      "Couldn't read the Keychain at 12:00; last: Key ABC1234DEF valid, checked 08:02",
    );
    expect(failedCheckSubtitle(locked, remembered("rejected", 3 * D), CLOCK)).toBe(
      "Couldn't read the Keychain at 12:00; last: Apple rejected key ABC1234DEF: revoked? (checked Nov 23, 12:00)",
    );
    expect(failedCheckSubtitle(locked, remembered("agreement-required", D, OTHER), CLOCK)).toBe(
      `Couldn't read the Keychain at 12:00; last: Key ${OTHER} valid, but an agreement needs accepting (checked Nov 25, 12:00)`,
    );
  });

  it("every keychain-* code reads as the Keychain; nothing remembered: just that", () => {
    for (const code of ["keychain-timeout", "keychain-denied", "keychain-tool-missing", "keychain-failed"] as const) {
      expect(failedCheckSubtitle(new AscKeyError(code, "x"), undefined, CLOCK)).toBe(
        "Couldn't read the Keychain at 12:00",
      );
    }
  });

  it("anything else: the check failed, the last answer kept", () => {
    expect(failedCheckSubtitle(new Error("boom"), remembered("valid", 2 * H), CLOCK)).toBe(
      "Couldn't check the key at 12:00; last: Key ABC1234DEF valid, checked 10:00",
    );
  });
});

describe("a remembered real check, end to end", () => {
  let apple: AppleStandIn;
  beforeAll(async () => {
    apple = await startAppleStandIn();
  });
  afterAll(async () => {
    await apple.close();
  });
  afterEach(() => clearTokenCache());

  it("valid now, revoked later, then offline: the subtitle follows, the rejection sticks", async () => {
    const record = makeRecord();
    apple.registerRecord(record, "ok");
    const first = rememberCheck(record.keyId, await checkKey(record, { baseUrl: apple.url }));
    expect(first).toMatchObject({ keyId: record.keyId, outcome: "valid", rateLimitRemaining: 3599 });
    const at = Date.parse(first.checkedAt);
    expect(checkSubtitle(record.keyId, first, first, { now: at, timeZone: "UTC" })).toBe(
      `Key ${record.keyId} valid, checked ${utcTime(at)}`,
    );

    apple.setBehaviour(record.keyId, "revoked");
    const second = rememberCheck(record.keyId, await checkKey(record, { baseUrl: apple.url }));
    expect(second.outcome).toBe("rejected");
    const secondAt = Date.parse(second.checkedAt);
    expect(checkSubtitle(record.keyId, second, second, { now: secondAt, timeZone: "UTC" })).toBe(
      `Apple rejected key ${record.keyId}: revoked? (checked ${utcTime(secondAt)})`,
    );

    apple.setBehaviour(record.keyId, "server-error");
    const third = rememberCheck(record.keyId, await checkKey(record, { baseUrl: apple.url }));
    expect(third.outcome).toBe("server-error");
    expect(checkSubtitle(record.keyId, third, second, { now: secondAt, timeZone: "UTC" })).toBe(
      `Apple rejected key ${record.keyId}: revoked? (checked ${utcTime(secondAt)})`,
    );
    for (const check of [first, second, third]) {
      expect(JSON.stringify(check)).not.toContain(record.privateKey.split("\n")[1]);
    }
  });
});

describe("a damaged date", () => {
  it("reads as an unknown time, never NaN", () => {
    expect(formatAge("not a date")).toBe("at an unknown time");
    expect(ageInDays("not a date")).toBe(0);
  });
});
