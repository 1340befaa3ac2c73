/**
 * The capability check against the Apple stand-in, one key per role as Apple's pages describe it: which areas answer
 * yes, no or unknown, which conclusions follow, and that rate limits, agreements and being offline never read as "no".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { outcomeSentence, readCapped } from "../../src/lib/asc-client";
import {
  APPLE_KEYS_PAGE,
  APPLE_USERS_PAGE,
  AREAS,
  checkCapabilities,
  drawConclusions,
  MAX_REQUESTS,
  privilegeWarning,
  probePrivilege,
  type AreaAnswer,
  type CapabilityReport,
} from "../../src/lib/capabilities";
import type { KeyRecord } from "../../src/lib/record";
import { clearTokenCache } from "../../src/lib/token";
import { ROLE_CASES, startAppleStandIn, type AppleStandIn, type Behaviour } from "../support/apple-stand-in";
import { makeRecord } from "../support/keys";
import { closedPortUrl } from "../support/network";

let apple: AppleStandIn;

beforeAll(async () => {
  apple = await startAppleStandIn();
});
afterAll(async () => {
  await apple.close();
});
beforeEach(() => {
  apple.requests.length = 0;
  clearTokenCache();
});

function keyFor(behaviour: Behaviour, overrides: Partial<KeyRecord> = {}): KeyRecord {
  const record = makeRecord(overrides);
  apple.registerRecord(record, behaviour);
  return record;
}

const answers = (report: CapabilityReport) =>
  Object.fromEntries(AREAS.map((area) => [area, report.areas[area]?.answer])) as Record<string, AreaAnswer>;
const ids = (report: CapabilityReport) => report.conclusions.map((c) => c.id);

function noSecrets(report: CapabilityReport, record: KeyRecord) {
  const text = JSON.stringify(report);
  const body = record.privateKey.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  expect(text).not.toContain(body.slice(10, 40));
  if (record.issuerId) expect(text).not.toContain(record.issuerId);
}

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
    noSecrets(report, record);
    // Conclusions name roles only as Apple's pages give tasks to them, never as the key's own role.
    for (const { text } of report.conclusions) {
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
    // 20 left is enough.
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
    expect(report.areas.apps?.reason).toBe("offline: no answer within 0.2 s");
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

  it("one area unknown and the rest answered: only the answered ones support conclusions", () => {
    const report = {
      keyId: "ABC1234DEF",
      kind: "team" as const,
      areas: {
        apps: { answer: "yes" as const },
        builds: { answer: "yes" as const },
        testflight: { answer: "unknown" as const, reason: "rate limited: the key has used up this hour's requests" },
        provisioning: { answer: "yes" as const },
        users: { answer: "unknown" as const, reason: "offline: connection refused" },
      },
    };
    const conclusions = drawConclusions(report);
    expect(conclusions.map((c) => c.id)).toEqual(["provisioning", "incomplete"]);
    expect(conclusions[1].text).toBe(
      "Not known yet: TestFlight, Users and Access (rate limited: the key has used up this hour's requests; offline: connection refused); nothing is concluded from that, so ask again later.",
    );
  });
});

describe("answers read with a cap", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("Content-Type", "application/json");
      if (req.url?.startsWith("/declared")) {
        res.setHeader("Content-Length", String(2 * 1024 * 1024));
        res.end("{}");
        return;
      }
      // Two MiB of JSON-looking text without a length: read until the cap, then stop.
      res.write('{"data":[');
      const chunk = `"${"x".repeat(64 * 1024)}",`;
      for (let i = 0; i < 32; i++) res.write(chunk);
      res.end('"end"]}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a body over 1 MiB is not read to the end, and the area is unknown", async () => {
    const report = await checkCapabilities(makeRecord(), { baseUrl: url, areas: ["apps"] });
    expect(report.areas.apps).toMatchObject({ answer: "unknown", cause: "unexpected" });
    expect(report.areas.apps?.reason).toMatch(/over 1 MiB/);
  });

  it("readCapped: within the cap the text, over it undefined (declared or not)", async () => {
    expect(await readCapped(new Response("hello"), 5)).toBe("hello");
    expect(await readCapped(new Response("hello!"), 5)).toBeUndefined();
    expect(await readCapped(await fetch(`${url}/declared`), 1024 * 1024)).toBeUndefined();
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

describe("privilegeWarning: the toast's sentence for a key that reaches Users and Access", () => {
  it("says what was seen, where to look, the smaller key and how to switch; names no role as the key's", () => {
    const text = privilegeWarning("ABC1234DEF", "team");
    expect(text).toBe(
      "Key ABC1234DEF can reach Users and Access, where Apple lets only the Account Holder, Admin and App Manager roles add and edit users; LingCode never needs that. If the key's access on Team Keys says Admin, its blast radius is larger than LingCode needs: an App Manager key uploads builds and manages TestFlight (Rotate Key… in API Key Status makes the switch a two-minute change).",
    );
  });

  it("individual keys: the user's own roles, and a team key as the smaller alternative", () => {
    const text = privilegeWarning("ABC1234DEF", "individual", "switch it");
    expect(text).toMatch(/^Individual key ABC1234DEF can reach Users and Access/);
    expect(text).toMatch(/carries all of your own roles/);
    expect(text).toMatch(/team key with App Manager access .*\(switch it\)\.$/);
  });

  it("the manages-users conclusion uses the same sentence and cites Apple's users page", () => {
    const [, manages] = drawConclusions({
      keyId: "ABC1234DEF",
      kind: "team",
      areas: { users: { answer: "yes" } },
    });
    expect(manages).toEqual({
      id: "manages-users",
      level: "warn",
      text: privilegeWarning("ABC1234DEF", "team"),
      sources: [APPLE_USERS_PAGE],
    });
  });
});
