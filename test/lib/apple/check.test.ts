/**
 * The checks against the Apple stand-in: the validity check (`checkKey`, one request) and the capability check (one
 * token, one request per probe), one key per role as Apple's pages describe it, and the one judgement both share.
 */
import { roleWords } from "../../../src/lib/apple/roles";
import { describe, expect, it, vi } from "vitest";
import {
  AREAS,
  checkCapabilities,
  checkKey,
  MIN_REQUESTS_LEFT,
  type AreaAnswer,
  type CapabilityReport,
  type CheckResult,
} from "../../../src/lib/apple";
import { probePrivilege } from "../../../src/lib/apple/check";
import { APPLE_KEYS_PAGE, privilegeWarning } from "../../../src/lib/apple/conclusions";
import { MAX_REQUESTS } from "../../../src/lib/apple/probes";
import { isAscKeyError } from "../../../src/lib/errors";
import { OUTCOME, OUTCOMES } from "../../../src/lib/apple/outcomes";
import { outcomeSentence } from "../../../src/lib/apple/words";
import type { KeyRecord } from "../../../src/lib/record";
import {
  type Behaviour,
  type Answer,
  HOSTILE_DETAIL,
  HOSTILE_TITLE,
  ROLE_CASES,
  startAppleStandIn,
  useAppleStandIn,
} from "../../support/apple-stand-in";
import { LONE_SURROGATE, RAW_CONTROL } from "../../support/controls";
import { ISSUER_ID, makeKey, makeRecord } from "../../support/keys";
import { closedPortUrl } from "../../support/network";

const apple = useAppleStandIn();

/** A registered record and one check of it; asserts the check sent exactly one request, as specified. */
async function check(
  behaviour: Behaviour | Answer = "ok",
  overrides: Partial<KeyRecord> = {},
  options: Parameters<typeof checkKey>[1] = {},
) {
  const record = makeRecord(overrides);
  apple.registerRecord(record, behaviour);
  const before = apple.requests.length;
  const result = await checkKey(record, { baseUrl: apple.url, ...options });
  expect(apple.requests.length - before).toBe(1);
  const request = apple.requests[apple.requests.length - 1];
  expect(request.method).toBe("GET");
  expect(request.path).toBe("/v1/apps?limit=1");
  expect(request.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  noSecrets(result, record);
  return { record, result, request };
}

/** Waits until `done()` holds: for something the stand-in sees happen after the call returned (the test's timeout bounds it). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function noSecrets(result: CheckResult, record: KeyRecord) {
  const text = JSON.stringify(result);
  const body = record.privateKey.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  for (const secret of [
    record.privateKey,
    body,
    ...record.privateKey.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----")),
    Buffer.from(record.privateKey).toString("base64"),
    ISSUER_ID,
    ...(apple.lastToken ? [apple.lastToken, ...apple.lastToken.split(".")] : []),
  ]) {
    expect(text).not.toContain(secret);
  }
  expect(result.message).not.toMatch(/[\r\n]/);
  expect(Number.isNaN(Date.parse(result.checkedAt))).toBe(false);
  expect(OUTCOMES).toContain(result.outcome);
}

function keyFor(behaviour: Behaviour, overrides: Partial<KeyRecord> = {}): KeyRecord {
  const record = makeRecord(overrides);
  apple.registerRecord(record, behaviour);
  return record;
}

const answers = (report: CapabilityReport) =>
  Object.fromEntries(AREAS.map((area) => [area, report.areas[area]?.answer])) as Record<string, AreaAnswer>;
const ids = (report: CapabilityReport) => report.conclusions.map((c) => c.id);

function reportHasNoSecrets(report: CapabilityReport, record: KeyRecord) {
  const text = JSON.stringify(report);
  const body = record.privateKey.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  expect(text).not.toContain(body.slice(10, 40));
  if (record.issuerId) expect(text).not.toContain(record.issuerId);
}

describe("checkKey against the stand-in", () => {
  it("valid team key: 200, rate limit and clock offset read from the answer", async () => {
    const { record, result } = await check("ok", { kind: "team" });
    expect(result).toMatchObject({ outcome: "valid", httpStatus: 200, rateLimitLimit: 3600, rateLimitRemaining: 3599 });
    expect(Math.abs(result.clockOffsetSeconds ?? 99)).toBeLessThanOrEqual(1);
    expect(result.message).toContain(record.keyId);
    expect(result.appleCode).toBeUndefined();
    expect(OUTCOME[result.outcome].usable).toBe(true);
  });

  it("valid individual key", async () => {
    const { result } = await check("ok", { kind: "individual" });
    expect(result.outcome).toBe("valid");
  });

  it("counts the hourly allowance down and reports 429 when it is spent", async () => {
    const record = makeRecord();
    apple.registerRecord(record, { rateLimitRemaining: 2 });
    expect((await checkKey(record, { baseUrl: apple.url })).rateLimitRemaining).toBe(1);
    expect((await checkKey(record, { baseUrl: apple.url })).rateLimitRemaining).toBe(0);
    const spent = await checkKey(record, { baseUrl: apple.url });
    expect(spent).toMatchObject({ outcome: "rate-limited", httpStatus: 429, rateLimitRemaining: 0 });
    expect(apple.requests).toHaveLength(3);
  });

  it("role-limited: 403 FORBIDDEN_ERROR means the key works", async () => {
    const { record, result } = await check("role-limited");
    expect(result).toMatchObject({ outcome: "role-limited", httpStatus: 403, appleCode: "FORBIDDEN_ERROR" });
    expect(result.message).toContain(record.keyId);
    expect(result.message).toMatch(/role/);
    expect(OUTCOME[result.outcome].usable).toBe(true);
  });

  it("agreement-required: the key is fine, the Account Holder must accept an agreement", async () => {
    const { result } = await check("agreement");
    expect(result).toMatchObject({
      outcome: "agreement-required",
      httpStatus: 403,
      appleCode: "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
    });
    expect(result.message).toMatch(/Account Holder/);
    expect(result.message).toMatch(/agreement/);
    expect(OUTCOME[result.outcome].usable).toBe(true);
  });

  it("rate-limited: 429", async () => {
    const { result } = await check("rate-limited");
    expect(result).toMatchObject({
      outcome: "rate-limited",
      httpStatus: 429,
      appleCode: "RATE_LIMIT_EXCEEDED",
      rateLimitRemaining: 0,
      rateLimitLimit: 3600,
    });
    expect(OUTCOME[result.outcome].usable).toBe(true);
  });

  it("rejected: a revoked key", async () => {
    const { record, result, request } = await check("revoked");
    expect(request.reason).toBe("key revoked");
    expect(result).toMatchObject({ outcome: "rejected", httpStatus: 401, appleCode: "NOT_AUTHORIZED" });
    expect(result.message).toContain(record.keyId);
    expect(result.message).toContain("https://appstoreconnect.apple.com/access/integrations/api");
    expect(result.message).not.toMatch(/clock/);
    expect(OUTCOME[result.outcome].usable).toBe(false);
  });

  it("rejected: wrong Issuer ID, wrong key, unknown Key ID, team/individual mix-up", async () => {
    const cases: Array<[string, (record: KeyRecord) => void]> = [
      [
        "iss does not match the Issuer ID",
        (r) => apple.registerRecord({ ...r, issuerId: "0".repeat(8) + "-0000-0000-0000-" + "0".repeat(12) }),
      ],
      ["bad signature", (r) => apple.registerRecord({ ...r, privateKey: makeKey().pem })],
      ["is not registered", () => undefined],
      ["team token has a sub", (r) => apple.registerRecord({ ...r, kind: "team", issuerId: ISSUER_ID })],
    ];
    for (const [reason, register] of cases) {
      const record = makeRecord({ kind: reason === "team token has a sub" ? "individual" : "team" });
      register(record);
      apple.requests.length = 0;
      const result = await checkKey(record, { baseUrl: apple.url });
      expect(apple.requests).toHaveLength(1);
      expect(apple.requests[0].reason).toContain(reason);
      expect(result.outcome).toBe("rejected");
      noSecrets(result, record);
    }
    // an individual key registered as a team key: the token carries an iss
    const individual = makeRecord({ kind: "individual" });
    apple.registerRecord(individual);
    const asTeam = await checkKey({ ...individual, kind: "team", issuerId: ISSUER_ID }, { baseUrl: apple.url });
    expect(asTeam.outcome).toBe("rejected");
    expect(apple.requests.at(-1)?.reason).toBe('individual token has no sub "user"');
  });

  it("rejected by a skewed clock: the message blames the clock and says by how much", async () => {
    // Apple is 5 minutes behind: this machine is 5 minutes fast, iat is in Apple's future
    apple.setClockSkew(-300);
    const fast = await check();
    expect(fast.request.reason).toMatch(/iat is \d+ s in the future/);
    expect(fast.result.outcome).toBe("rejected");
    expect(fast.result.clockOffsetSeconds).toBeGreaterThanOrEqual(-301);
    expect(fast.result.clockOffsetSeconds).toBeLessThanOrEqual(-299);
    expect(fast.result.message).toMatch(/clock is 5 min fast/);
    expect(fast.result.message).toContain(fast.record.keyId);

    // this machine is 15 minutes slow: the token has expired by Apple's clock
    apple.setClockSkew(900);
    const slow = await check();
    expect(slow.request.reason).toMatch(/expired/);
    expect(slow.result.message).toMatch(/clock is 15 min slow/);

    // the same through an injected local clock
    apple.setClockSkew(0);
    const injected = await check("ok", {}, { now: () => Date.now() + 90_000 });
    expect(injected.result.outcome).toBe("rejected");
    expect(injected.result.message).toMatch(/clock is (89|90|91) s fast/);
  });

  it("a small skew is tolerated and reported", async () => {
    apple.setClockSkew(40);
    const { result } = await check();
    expect(result.outcome).toBe("valid");
    expect(result.clockOffsetSeconds).toBeGreaterThanOrEqual(39);
    expect(result.clockOffsetSeconds).toBeLessThanOrEqual(41);
  });

  it("a 401 with a correct clock does not blame the clock", async () => {
    apple.setClockSkew(30);
    const { result } = await check("revoked");
    expect(result.outcome).toBe("rejected");
    expect(result.message).not.toMatch(/clock/);
  });

  it("server-error: 500, 503 with HTML, and a 200 that is not Apple's JSON", async () => {
    const e500 = await check("server-error");
    expect(e500.result).toMatchObject({ outcome: "server-error", httpStatus: 500, appleCode: "UNEXPECTED_ERROR" });
    expect(e500.result.message).toMatch(/HTTP 500/);
    const e503 = await check("unavailable");
    expect(e503.result).toMatchObject({ outcome: "server-error", httpStatus: 503 });
    const garbage = await check("garbage");
    expect(garbage.result).toMatchObject({ outcome: "server-error", httpStatus: 200 });
    expect(garbage.result.message).toMatch(/proxy|Wi-Fi/);
    expect(OUTCOME["server-error"].usable).toBe(false);
  });

  it("unreachable: a server that never answers times out, and the request is given up", async () => {
    const { result, request } = await check("hang", {}, { timeoutMs: 300 });
    // One request, never answered: the answer came from the timeout, which also hung up on it.
    expect(request.status).toBeUndefined();
    await until(() => request.hungUp === true);
    expect(result.outcome).toBe("unreachable");
    expect(result.httpStatus).toBeUndefined();
    expect(result.message).toMatch(/no answer within 300 ms/);
    expect(OUTCOME[result.outcome].usable).toBe(false);
  });

  it("asks the address it is given (a trailing slash is fine), and reads no environment", async () => {
    vi.stubEnv("LINGCODE_ASC_API_URL", "http://127.0.0.1:9");
    try {
      const record = makeRecord();
      apple.registerRecord(record);
      const result = await checkKey(record, { baseUrl: `${apple.url}/` });
      expect(result.outcome).toBe("valid");
      expect(apple.requests).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("a key that cannot sign throws its AscKeyError and sends nothing", async () => {
    const record = makeRecord({ privateKey: makeKey("P-384").pem });
    await expect(checkKey(record, { baseUrl: apple.url })).rejects.toSatisfy((e) => isAscKeyError(e, "wrong-curve"));
    await expect(checkKey({ ...makeRecord(), issuerId: undefined }, { baseUrl: apple.url })).rejects.toSatisfy((e) =>
      isAscKeyError(e, "issuer-id-missing"),
    );
    expect(apple.requests).toHaveLength(0);
  });
});

describe("the validity check: what the status code decides", () => {
  it("unreachable: a closed port", async () => {
    const url = await closedPortUrl();
    const record = makeRecord();
    const result = await checkKey(record, { baseUrl: url, timeoutMs: 5000 });
    expect(result).toMatchObject({ outcome: "unreachable" });
    expect(result.message).toMatch(/connection refused/);
    expect(result.message).toContain(new URL(url).host);
    noSecrets(result, record);
  });

  it("server-error: an unexpected 403 code quotes Apple's title; other statuses too", async () => {
    const answers: Array<[number, unknown, RegExp]> = [
      [
        403,
        { errors: [{ status: "403", code: "FORBIDDEN.SOMETHING_NEW", title: "Something new happened." }] },
        /HTTP 403 "Something new happened\."/,
      ],
      [
        404,
        { errors: [{ status: "404", code: "NOT_FOUND", title: "The specified resource does not exist" }] },
        /HTTP 404/,
      ],
      [200, { unexpected: true }, /HTTP 200/],
      [418, "not json", /HTTP 418/],
    ];
    for (const [status, body, message] of answers) {
      const calls: Array<[Parameters<typeof fetch>[0], RequestInit | undefined]> = [];
      const fakeFetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        calls.push([input, init]);
        return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
      }) as typeof fetch;
      const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch });
      expect(result.outcome).toBe("server-error");
      expect(result.httpStatus).toBe(status);
      expect(result.message).toMatch(message);
      expect(calls).toHaveLength(1);
      expect(String(calls[0][0])).toBe("https://asc.example/v1/apps?limit=1");
    }
  });

  it("the stand-in's endless body: server-error, and the connection is dropped", async () => {
    const { result, request } = await check("endless");
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 200 });
    expect(result.message).toMatch(/over 1 MB/);
    await vi.waitFor(() => expect(request.hungUp).toBe(true));
  });

  it("the status code decides: a 401 with an HTML page is rejected, a 429 with one rate-limited", async () => {
    const e401 = await check("html-401");
    expect(e401.result).toMatchObject({ outcome: "rejected", httpStatus: 401 });
    expect(e401.result.message).toBe(outcomeSentence("rejected", { keyId: e401.record.keyId, kind: "team" }));
    const e429 = await check("html-429");
    expect(e429.result).toMatchObject({ outcome: "rate-limited", httpStatus: 429 });
  });

  it("a 401 whose body is not JSON still blames a clock that is off", async () => {
    apple.setClockSkew(-600);
    const { result } = await check("html-401");
    expect(result.outcome).toBe("rejected");
    expect(result.message).toMatch(/clock is 10 min fast/);
  });

  it("a 403 without Apple's code cannot be told apart: server-error", async () => {
    const { result } = await check("html-403");
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 403 });
    expect(result.message).toMatch(/proxy/);
  });

  it("Apple's title with terminal controls is quoted with the controls made visible", async () => {
    const { result } = await check("hostile-words");
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 403 });
    expect(result.message).not.toMatch(RAW_CONTROL);
    expect(result.message).toContain('HTTP 403 "Evil\\x1b[2J\\x1b]0;pwned\\x07 title \\u009b31mred\\u007f"');
    expect(HOSTILE_TITLE).toMatch(RAW_CONTROL);
  });

  it("Apple's detail, quoted when there is no title, is made printable too, and clipped by whole characters", async () => {
    const answers = [
      [{ code: "SOMETHING", detail: HOSTILE_DETAIL }, "Detail\\x1b[31m in red\\x07 \\u0085next"],
      [{ code: "SOMETHING", title: `${"🔑".repeat(78)}\u001b[2J` }, `${"🔑".repeat(78)}\\x1b…`],
    ] as const;
    for (const [error, quoted] of answers) {
      const fakeFetch = (async () =>
        new Response(JSON.stringify({ errors: [{ status: "409", ...error }] }), { status: 409 })) as typeof fetch;
      const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch });
      expect(result.outcome).toBe("server-error");
      expect(result.message).toContain(`HTTP 409 "${quoted}"`);
      expect(result.message).not.toMatch(RAW_CONTROL);
      // No surrogate left alone by the clipping.
      expect(result.message).not.toMatch(LONE_SURROGATE);
    }
  });
});

describe("each role, as Apple's role pages give it", () => {
  it.each(ROLE_CASES)("$name", async ({ behaviour, kind, areas, conclusions }) => {
    const record = keyFor(behaviour, { kind });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    expect(report.outcome).toBe("valid");
    expect(report.message).toBe(outcomeSentence("valid", { keyId: record.keyId, kind: record.kind }));
    expect(answers(report)).toEqual(areas);
    expect(ids(report)).toEqual(conclusions);
    expect(report.requests).toBe(MAX_REQUESTS);
    expect(apple.requests).toHaveLength(MAX_REQUESTS);
    expect(report.rateLimitRemaining).toBe(3600 - MAX_REQUESTS);
    expect(Math.abs(report.clockOffsetSeconds ?? 99)).toBeLessThanOrEqual(2);
    reportHasNoSecrets(report, record);
    // Conclusions name roles only as Apple's pages give tasks to them, never as the key's own role.
    // A team key reaching Users and Access gets roles.ts's note, which names both roles it can be ("App Manager
    // or Admin") and the one step that settles it: an info, never a warning, with no role recorded.
    for (const { id, text, level } of report.conclusions) {
      if (id === "manages-users" && record.kind === "team") {
        expect(level).toBe("info");
        expect(text).toBe(roleWords(record.keyId, "yes", undefined, "")?.text);
        continue;
      }
      expect(text).not.toMatch(/\b(is|has) (an? )?(Admin|App Manager|Developer|Finance)\b/);
      expect(text).not.toMatch(/\bAdmin key\b/);
    }
  });

  it("the individual key's conclusion rests on Apple's own words about individual keys", async () => {
    const record = keyFor({ role: "developer" }, { kind: "individual" });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    const individual = report.conclusions.find((c) => c.id === "individual-no-provisioning")!;
    expect(individual.text).toMatch(/provisioning endpoints or notarytool/);
    expect(individual.sources).toEqual([APPLE_KEYS_PAGE]);
    expect(ids(report)).not.toContain("no-provisioning");
  });

  it("every conclusion but the 'not known yet' one cites an Apple page", async () => {
    const record = keyFor({ role: "admin" });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    for (const conclusion of report.conclusions) {
      expect(conclusion.sources.length, conclusion.id).toBeGreaterThan(0);
      for (const source of conclusion.sources) expect(source).toMatch(/^https:\/\/developer\.apple\.com\//);
    }
  });
});

describe("the requests", () => {
  it("one token for all six, sent at once, each a GET with limit=1", async () => {
    const record = keyFor({ role: "admin" });
    await checkCapabilities(record, { baseUrl: apple.url });
    const paths = apple.requests.map((r) => r.path).sort();
    expect(paths).toEqual([
      "/v1/apps?limit=1",
      "/v1/betaGroups?limit=1",
      "/v1/builds?limit=1",
      "/v1/bundleIds?limit=1",
      "/v1/certificates?limit=1",
      "/v1/users?limit=1",
    ]);
    expect(new Set(apple.requests.map((r) => r.authorization)).size).toBe(1);
    expect(apple.requests.every((r) => r.method === "GET")).toBe(true);
  });

  it("they run in parallel: six answers that each take 300 ms arrive together", async () => {
    const slow = await startAppleStandIn({ delayMs: 300 });
    try {
      const record = makeRecord();
      slow.registerRecord(record, { role: "admin" });
      let inFlight = 0;
      let most = 0;
      const counting: typeof fetch = async (input, init) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return await fetch(input, init);
        } finally {
          inFlight -= 1;
        }
      };
      const report = await checkCapabilities(record, { baseUrl: slow.url, fetch: counting });
      expect(report.requests).toBe(6);
      expect(most).toBe(6);
    } finally {
      await slow.close();
    }
  });

  it("only the areas asked for", async () => {
    const record = keyFor({ role: "admin" });
    const report = await checkCapabilities(record, { baseUrl: apple.url, areas: ["users"] });
    expect(apple.requests.map((r) => r.path)).toEqual(["/v1/users?limit=1"]);
    expect(Object.keys(report.areas)).toEqual(["users"]);
    expect(report.outcome).toBe("valid");
  });
});

describe("bad input: unknown with the reason, never no", () => {
  it("fewer than 20 requests left this hour (as last seen): nothing is sent, every area unknown", async () => {
    const record = keyFor({ role: "admin" });
    const report = await checkCapabilities(record, { baseUrl: apple.url, rateLimitRemaining: 19 });
    expect(apple.requests).toHaveLength(0);
    expect(report.requests).toBe(0);
    expect(report.outcome).toBe("rate-limited");
    expect(report.message).toMatch(/only 19 requests left this hour/);
    for (const area of AREAS) {
      expect(report.areas[area]).toMatchObject({ answer: "unknown", cause: "not-probed" });
      expect(report.areas[area]?.reason).toMatch(/only 19 requests left/);
    }
    expect(ids(report)).toEqual(["incomplete"]);
    // 20 left is enough: the one threshold, which the retired keys' check uses too.
    expect(MIN_REQUESTS_LEFT).toBe(20);
    const enough = await checkCapabilities(record, { baseUrl: apple.url, rateLimitRemaining: 20 });
    expect(enough.requests).toBe(6);
  });

  it("rate limited by Apple (429): unknown, rate limited", async () => {
    const record = keyFor({ role: "admin", answer: "rate-limited" });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    expect(report.outcome).toBe("rate-limited");
    for (const area of AREAS) {
      expect(report.areas[area]).toMatchObject({ answer: "unknown", cause: "rate-limited", httpStatus: 429 });
    }
    expect(report.conclusions.every((c) => c.level === "info" || c.id === "individual-no-provisioning")).toBe(true);
    expect(ids(report)).toEqual(["incomplete"]);
  });

  it("the hourly counter running out part way: the areas past it are unknown, the rest answered", async () => {
    const record = keyFor({ role: "developer", rateLimitRemaining: 3 });
    const report = await checkCapabilities(record, { baseUrl: apple.url, rateLimitRemaining: 50 });
    const values = Object.values(answers(report));
    expect(values.filter((a) => a === "unknown").length).toBeGreaterThanOrEqual(1);
    for (const area of AREAS) {
      const result = report.areas[area]!;
      if (result.answer === "unknown") expect(result.cause).toBe("rate-limited");
    }
  });

  it("offline: every area unknown with the network reason", async () => {
    const record = makeRecord();
    const url = await closedPortUrl();
    const report = await checkCapabilities(record, { baseUrl: url });
    expect(report.outcome).toBe("unreachable");
    expect(report.message).toMatch(/^Could not reach App Store Connect at 127\.0\.0\.1:\d+ \(connection refused\)/);
    for (const area of AREAS) {
      expect(report.areas[area]).toMatchObject({
        answer: "unknown",
        cause: "offline",
        reason: "offline: connection refused",
      });
    }
    expect(ids(report)).toEqual(["incomplete"]);
  });

  it("an agreement waiting: unknown (agreement missing), outcome agreement-required", async () => {
    const record = keyFor({ role: "admin", answer: "agreement" });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    expect(report.outcome).toBe("agreement-required");
    for (const area of AREAS) expect(report.areas[area]).toMatchObject({ answer: "unknown", cause: "agreement" });
    expect(report.areas.apps?.reason).toMatch(/Account Holder/);
  });

  it("a rejected key: unknown everywhere, outcome rejected, Apple's sentence", async () => {
    const record = keyFor({ role: "admin", answer: "revoked" });
    const report = await checkCapabilities(record, { baseUrl: apple.url });
    expect(report.outcome).toBe("rejected");
    expect(report.message).toBe(outcomeSentence("rejected", { keyId: record.keyId, kind: "team" }));
    for (const area of AREAS) expect(report.areas[area]).toMatchObject({ answer: "unknown", cause: "rejected" });
  });

  it("a server error or a captive portal: unknown, with the reason", async () => {
    const broken = keyFor({ role: "admin", answer: "server-error" });
    const report = await checkCapabilities(broken, { baseUrl: apple.url });
    expect(report.outcome).toBe("server-error");
    expect(report.areas.users).toMatchObject({
      answer: "unknown",
      cause: "server-error",
      reason: "server error (HTTP 500)",
    });

    const portal = keyFor({ role: "admin", answer: "garbage" });
    const portalReport = await checkCapabilities(portal, { baseUrl: apple.url });
    expect(portalReport.areas.builds).toMatchObject({ answer: "unknown", cause: "unexpected" });
    expect(portalReport.areas.builds?.reason).toMatch(/not App Store Connect's API/);
  });

  it("no answer in time: unknown (offline), saying how long it waited", async () => {
    const record = keyFor({ answer: "hang" });
    const report = await checkCapabilities(record, { baseUrl: apple.url, timeoutMs: 200 });
    expect(report.outcome).toBe("unreachable");
    expect(report.areas.apps?.reason).toBe("offline: no answer within 200 ms");
  });

  it("plain http to another computer: no request, no token", async () => {
    const record = makeRecord();
    const report = await checkCapabilities(record, { baseUrl: "http://example.com" });
    expect(report.outcome).toBe("unreachable");
    expect(report.requests).toBe(0);
    expect(report.message).toMatch(/Refusing to send the key's token over plain http/);
    for (const area of AREAS) {
      expect(report.areas[area]).toMatchObject({
        answer: "unknown",
        cause: "not-probed",
        reason: "not probed: the App Store Connect address is unusable",
      });
    }
  });
});

describe("probePrivilege (after a registration's valid check)", () => {
  it("one request to Users and Access; a key that reaches it gets the warning", async () => {
    const record = keyFor({ role: "admin" });
    const result = await probePrivilege(record, { baseUrl: apple.url });
    expect(apple.requests.map((r) => r.path)).toEqual(["/v1/users?limit=1"]);
    expect(result.users.answer).toBe("yes");
    expect(result.warning).toBe(privilegeWarning(record.keyId, "team"));
  });

  it("a key that cannot reach it: no warning", async () => {
    const record = keyFor({ role: "developer" });
    const result = await probePrivilege(record, { baseUrl: apple.url });
    expect(result.users.answer).toBe("no");
    expect(result.warning).toBeUndefined();
  });

  it("rate limited or offline: unknown, no warning", async () => {
    const record = keyFor({ role: "admin" });
    const skipped = await probePrivilege(record, { baseUrl: apple.url, rateLimitRemaining: 3 });
    expect(apple.requests).toHaveLength(0);
    expect(skipped.users).toMatchObject({ answer: "unknown", cause: "not-probed" });
    expect(skipped.warning).toBeUndefined();
    const offline = await probePrivilege(record, { baseUrl: await closedPortUrl() });
    expect(offline.users).toMatchObject({ answer: "unknown", cause: "offline" });
    expect(offline.warning).toBeUndefined();
  });
});

/**
 * The two checks used to judge answers each in their own way and had drifted apart: the capability check printed a
 * clock offset raw ("300 s fast"), took an HTML 401 or 429 for a server error, worded a timeout "0.2 s", and wrapped
 * its reason into "App Store Connect answered not App Store Connect's API ...". Now they share one judgement: the
 * same answer gives the same outcome and the same sentence, whichever check asked.
 */
describe("one judgement for both checks", () => {
  async function both(behaviour: Behaviour | Answer, options: { timeoutMs?: number } = {}) {
    const record = makeRecord();
    apple.registerRecord(record, behaviour);
    const verdict = await checkKey(record, { baseUrl: apple.url, ...options });
    const report = await checkCapabilities(record, { baseUrl: apple.url, areas: ["apps"], ...options });
    return { record, verdict, report };
  }

  it.each<[Behaviour | Answer, string]>([
    ["ok", "valid"],
    ["revoked", "rejected"],
    ["role-limited", "role-limited"],
    ["agreement", "agreement-required"],
    ["rate-limited", "rate-limited"],
    ["server-error", "server-error"],
    ["unavailable", "server-error"],
    ["garbage", "server-error"],
    ["html-401", "rejected"],
    ["html-403", "server-error"],
    ["html-429", "rate-limited"],
    ["hostile-words", "server-error"],
    ["endless", "server-error"],
  ])("%s: %s, in the same words", async (behaviour, outcome) => {
    const { verdict, report } = await both(behaviour);
    expect(verdict.outcome).toBe(outcome);
    expect(report.outcome).toBe(outcome);
    expect(report.message).toBe(verdict.message);
  });

  it("an HTML 401 or 429 is decided by its status in the capability check too", async () => {
    const e401 = await both("html-401");
    expect(e401.report.areas.apps).toMatchObject({ answer: "unknown", cause: "rejected", httpStatus: 401 });
    expect(e401.report.message).toBe(outcomeSentence("rejected", { keyId: e401.record.keyId, kind: "team" }));
    const e429 = await both("html-429");
    expect(e429.report.areas.apps).toMatchObject({ answer: "unknown", cause: "rate-limited", httpStatus: 429 });
  });

  it("a clock five minutes fast is said in minutes by both", async () => {
    apple.setClockSkew(-300);
    const { verdict, report } = await both("ok");
    expect(report.outcome).toBe("rejected");
    expect(report.message).toMatch(/clock is 5 min fast/);
    expect(report.message).toBe(verdict.message);
  });

  it("a timeout is said the same way by both", async () => {
    const { verdict, report } = await both("hang", { timeoutMs: 200 });
    expect(report.message).toMatch(/\(no answer within 200 ms\)/);
    expect(report.message).toBe(verdict.message);
  });

  it("an unexpected answer quotes Apple's words in the capability check too", async () => {
    const { report } = await both("hostile-words");
    expect(report.message).toContain('answered HTTP 403 "Evil');
    expect(report.message).not.toMatch(RAW_CONTROL);
    expect(report.areas.apps).toMatchObject({
      answer: "unknown",
      cause: "unexpected",
      reason: "an answer this check does not expect (HTTP 403)",
    });
  });
});
