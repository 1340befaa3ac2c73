import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { checkKey, type CheckResult, type Outcome, OUTCOMES } from "../../src/lib/asc-client";
import {
  ageInDays,
  checkSubtitle,
  formatAge,
  isConclusive,
  outcomeLabel,
  type RememberedCheck,
  rememberCheck,
} from "../../src/lib/check-summary";
import { clearTokenCache } from "../../src/lib/token";
import { type AppleStandIn, startAppleStandIn } from "../support/apple-stand-in";
import { makeRecord } from "../support/keys";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");
const KEY = "ABC1234DEF";
const OTHER = "ZYX9876WVU";
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const ago = (ms: number) => new Date(NOW - ms).toISOString();

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
      expect(checkSubtitle(KEY, remembered("valid", 5 * M), undefined)).toBe(`Key ${KEY} valid, checked 5m ago`);
    });
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

describe("outcomeLabel and isConclusive", () => {
  it.each<[Outcome, string, boolean]>([
    ["valid", "valid", true],
    ["role-limited", "valid (small role)", true],
    ["agreement-required", "valid, agreement to accept", true],
    ["rejected", "rejected", true],
    ["rate-limited", "valid (rate-limited)", true],
    ["server-error", "not checked: Apple had an error", false],
    ["unreachable", "not checked: offline", false],
  ])("%s → %s (conclusive: %s)", (outcome, label, conclusive) => {
    expect(outcomeLabel(outcome)).toBe(label);
    expect(isConclusive(outcome)).toBe(conclusive);
  });

  it("every outcome has a label", () => {
    for (const outcome of OUTCOMES) expect(outcomeLabel(outcome)).toMatch(/\w/);
  });
});

describe("checkSubtitle", () => {
  const subtitle = (latest?: RememberedCheck, lastConclusive?: RememberedCheck) =>
    checkSubtitle(KEY, latest, lastConclusive, NOW);

  it("No key: nothing saved, whatever was checked before", () => {
    expect(checkSubtitle(undefined, undefined, undefined, NOW)).toBe("No key");
    expect(checkSubtitle(undefined, remembered("valid", H), remembered("valid", H), NOW)).toBe("No key");
    expect(checkSubtitle("", remembered("rejected", H), undefined, NOW)).toBe("No key");
  });

  it("not checked yet", () => {
    expect(subtitle()).toBe(`Key ${KEY}: not checked yet`);
  });

  it("valid", () => {
    const latest = remembered("valid", 2 * H);
    expect(subtitle(latest, latest)).toBe("Key ABC1234DEF valid, checked 2h ago");
    expect(subtitle(latest, undefined)).toBe("Key ABC1234DEF valid, checked 2h ago");
  });

  it("rejected", () => {
    const latest = remembered("rejected", 5 * M);
    expect(subtitle(latest, latest)).toBe("Apple rejected key ABC1234DEF: revoked? (checked 5m ago)");
  });

  it("role-limited, agreement-required, rate-limited", () => {
    expect(subtitle(remembered("role-limited", 30 * S))).toBe("Key ABC1234DEF valid, small role (checked just now)");
    expect(subtitle(remembered("agreement-required", D))).toBe(
      "Key ABC1234DEF valid, but an agreement needs accepting (checked 1d ago)",
    );
    expect(subtitle(remembered("rate-limited", 3 * M))).toBe("Key ABC1234DEF valid, checked 3m ago");
  });

  it("offline after a valid check keeps the valid answer with its old age", () => {
    expect(subtitle(remembered("unreachable", 0), remembered("valid", 2 * H))).toBe(
      "Key ABC1234DEF valid, checked 2h ago",
    );
  });

  it("a server error after a rejection keeps the rejection", () => {
    expect(subtitle(remembered("server-error", M), remembered("rejected", 3 * D))).toBe(
      "Apple rejected key ABC1234DEF: revoked? (checked 3d ago)",
    );
  });

  it("a newer conclusive answer wins over the remembered one", () => {
    expect(subtitle(remembered("rejected", 5 * M), remembered("valid", 2 * D))).toBe(
      "Apple rejected key ABC1234DEF: revoked? (checked 5m ago)",
    );
    expect(subtitle(remembered("valid", 5 * M), remembered("rejected", 2 * D))).toBe(
      "Key ABC1234DEF valid, checked 5m ago",
    );
  });

  it("offline with no conclusive answer says so, with its age", () => {
    expect(subtitle(remembered("unreachable", 5 * M))).toBe("Key ABC1234DEF: not checked: offline, 5m ago");
    expect(subtitle(remembered("server-error", 0))).toBe("Key ABC1234DEF: not checked: Apple had an error, just now");
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
      "Key ABC1234DEF valid, checked 2h ago",
    );
    expect(subtitle(remembered("valid", M), remembered("rejected", M, OTHER))).toBe(
      "Key ABC1234DEF valid, checked 1m ago",
    );
  });

  it("offline for this key after a conclusive answer for another key: offline, not the other key's answer", () => {
    expect(subtitle(remembered("unreachable", 5 * M), remembered("rejected", H, OTHER))).toBe(
      "Key ABC1234DEF: not checked: offline, 5m ago",
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
    expect(checkSubtitle(record.keyId, first, first, at + 2 * H)).toBe(`Key ${record.keyId} valid, checked 2h ago`);

    apple.setBehaviour(record.keyId, "revoked");
    const second = rememberCheck(record.keyId, await checkKey(record, { baseUrl: apple.url }));
    expect(second.outcome).toBe("rejected");
    const secondAt = Date.parse(second.checkedAt);
    expect(checkSubtitle(record.keyId, second, second, secondAt + 5 * M)).toBe(
      `Apple rejected key ${record.keyId}: revoked? (checked 5m ago)`,
    );

    apple.setBehaviour(record.keyId, "server-error");
    const third = rememberCheck(record.keyId, await checkKey(record, { baseUrl: apple.url }));
    expect(third.outcome).toBe("server-error");
    expect(checkSubtitle(record.keyId, third, second, secondAt + 5 * M)).toBe(
      `Apple rejected key ${record.keyId}: revoked? (checked 5m ago)`,
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
