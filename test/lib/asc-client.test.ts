import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { closedPortUrl } from "../support/network";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  checkKey,
  type CheckResult,
  DEFAULT_ASC_API_URL,
  isLoopbackHost,
  MAX_ANSWER_BYTES,
  OUTCOMES,
  parseRateLimit,
} from "../../src/lib/asc-client";
import { OUTCOME, outcomeSentence } from "../../src/lib/outcomes";
import { isAscKeyError } from "../../src/lib/errors";
import type { KeyRecord } from "../../src/lib/record";
import { clearTokenCache } from "../../src/lib/token";
import {
  type AppleStandIn,
  type Behaviour,
  type Answer,
  HOSTILE_DETAIL,
  HOSTILE_TITLE,
  startAppleStandIn,
} from "../support/apple-stand-in";
import { LONE_SURROGATE, RAW_CONTROL } from "../support/controls";
import { ISSUER_ID, makeKey, makeRecord } from "../support/keys";

let apple: AppleStandIn;

beforeAll(async () => {
  apple = await startAppleStandIn();
});
afterAll(async () => {
  await apple.close();
});
beforeEach(() => {
  apple.requests.length = 0;
  apple.setClockSkew(0);
  clearTokenCache();
});

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

  it("unreachable: a server that never answers times out", async () => {
    const started = Date.now();
    const { result } = await check("hang", {}, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
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

describe("checkKey without Apple", () => {
  let servers: Array<{ close(): void }> = [];
  afterEach(() => {
    servers.forEach((s) => s.close());
    servers = [];
  });

  it("unreachable: a closed port", async () => {
    const url = await closedPortUrl();
    const record = makeRecord();
    const result = await checkKey(record, { baseUrl: url, timeoutMs: 5000 });
    expect(result).toMatchObject({ outcome: "unreachable" });
    expect(result.message).toMatch(/connection refused/);
    expect(result.message).toContain(new URL(url).host);
    noSecrets(result, record);
  });

  it("unreachable: a name that does not resolve (offline)", async () => {
    const fakeFetch = (async () => {
      throw Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("getaddrinfo ENOTFOUND api.appstoreconnect.apple.com"), { code: "ENOTFOUND" }),
      });
    }) as typeof fetch;
    const result = await checkKey(makeRecord(), { baseUrl: DEFAULT_ASC_API_URL, fetch: fakeFetch });
    expect(result.outcome).toBe("unreachable");
    expect(result.message).toMatch(/could not be looked up/);
    expect(result.message).toContain("api.appstoreconnect.apple.com");
  });

  it("unreachable: a base URL that is not a web address", async () => {
    for (const baseUrl of ["not a url", "ftp://example.com"]) {
      const result = await checkKey(makeRecord(), { baseUrl });
      expect(result.outcome).toBe("unreachable");
      expect(result.message).toBe("The App Store Connect address given is not a web address; fix it and try again.");
    }
  });

  it("plain http to anything but this computer: unreachable, no request and no token made", async () => {
    const calls: unknown[] = [];
    const fakeFetch = (async (...args: unknown[]) => {
      calls.push(args);
      return new Response('{"data":[]}', { status: 200 });
    }) as typeof fetch;
    // A key that cannot sign: had a token been minted, this would throw wrong-curve instead of answering.
    const unsignable = makeRecord({ privateKey: makeKey("P-384").pem });
    for (const baseUrl of [
      "http://api.appstoreconnect.apple.com",
      "HTTP://10.0.0.5:8080/",
      "http://128.0.0.1",
      "http://127.0.0.1.nip.io",
      "http://localhost.example.com",
      "http://[::2]",
      "http://[::ffff:127.0.0.1]",
    ]) {
      // A key that signs fine: no request either.
      expect((await checkKey(makeRecord(), { baseUrl, fetch: fakeFetch })).outcome, baseUrl).toBe("unreachable");
      const result = await checkKey(unsignable, { baseUrl, fetch: fakeFetch });
      expect(result.outcome, baseUrl).toBe("unreachable");
      expect(result.message).toMatch(/^Refusing to send the key's token over plain http to \S+: /);
      expect(result.message).toContain(new URL(baseUrl).host);
      expect(result.message).not.toMatch(/[\r\n]/);
      expect(result.httpStatus).toBeUndefined();
    }
    expect(calls).toEqual([]);
  });

  it("plain http to this computer (localhost, 127.0.0.0/8, ::1) and https anywhere are still sent", async () => {
    const urls: string[] = [];
    const fakeFetch = (async (url: URL | string) => {
      urls.push(String(url));
      return new Response('{"data":[]}', { status: 200 });
    }) as typeof fetch;
    for (const baseUrl of [
      "http://127.0.0.1:1234",
      "http://127.255.0.9",
      "http://127.1",
      "http://localhost:8080",
      "http://LOCALHOST",
      "http://[::1]:9000",
      "https://asc.example",
    ]) {
      expect((await checkKey(makeRecord(), { baseUrl, fetch: fakeFetch })).outcome, baseUrl).toBe("valid");
    }
    expect(urls).toEqual([
      "http://127.0.0.1:1234/v1/apps?limit=1",
      "http://127.255.0.9/v1/apps?limit=1",
      "http://127.0.0.1/v1/apps?limit=1",
      "http://localhost:8080/v1/apps?limit=1",
      "http://localhost/v1/apps?limit=1",
      "http://[::1]:9000/v1/apps?limit=1",
      "https://asc.example/v1/apps?limit=1",
    ]);
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false);
    expect(isLoopbackHost("::1")).toBe(true);
    expect(isLoopbackHost("::2")).toBe(false);
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

  it("a redirect is not followed: one request, and the token goes nowhere else", async () => {
    let hits = 0;
    const server = createServer((req, res) => {
      hits += 1;
      res.writeHead(302, { Location: "http://127.0.0.1:9/login" }).end("<html>moved</html>");
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const result = await checkKey(makeRecord(), { baseUrl: `http://127.0.0.1:${port}` });
    expect(hits).toBe(1);
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 302 });
  });

  it("the default base URL is Apple's", () => {
    expect(DEFAULT_ASC_API_URL).toBe("https://api.appstoreconnect.apple.com");
  });
});

describe("hostile answers", () => {
  let servers: Array<{ close(): void; closeAllConnections?(): void }> = [];
  afterEach(() => {
    servers.forEach((s) => {
      s.closeAllConnections?.();
      s.close();
    });
    servers = [];
  });

  /** A fetch whose answer is a body produced on demand, never more than 8 MiB; says how much was pulled. */
  function endlessFetch(status = 200) {
    const state = { pulled: 0, cancelled: false };
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const fakeFetch = (async () => {
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (state.pulled >= 8 * 1024 * 1024) return controller.error(new Error("read far past the cap"));
          state.pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          state.cancelled = true;
        },
      });
      return new Response(body, { status, headers: { "Content-Type": "application/json" } });
    }) as typeof fetch;
    return { state, fakeFetch };
  }

  it("an endless body is read no further than the cap, the stream cancelled: server-error", async () => {
    const { state, fakeFetch } = endlessFetch();
    const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch });
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 200 });
    expect(result.message).toMatch(/over 1 MB/);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeGreaterThan(MAX_ANSWER_BYTES);
    expect(state.pulled).toBeLessThan(MAX_ANSWER_BYTES + 256 * 1024);
  });

  it("the cap holds for a 401 too: an answer that big is not Apple's", async () => {
    const { fakeFetch } = endlessFetch(401);
    const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch });
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 401 });
  });

  it("the stand-in's endless body: server-error, and the connection is dropped", async () => {
    const { result, request } = await check("endless");
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 200 });
    expect(result.message).toMatch(/over 1 MB/);
    await vi.waitFor(() => expect(request.hungUp).toBe(true));
  });

  it("the cap counts what gzip inflates to, not what came over the wire", async () => {
    // 4 MiB of spaces in about 4 KB: well under the cap on the wire, four times over it inflated.
    const wire = gzipSync(Buffer.alloc(4 * 1024 * 1024, " "));
    expect(wire.length).toBeLessThan(MAX_ANSWER_BYTES);
    const server = createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" }).end(wire);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const result = await checkKey(makeRecord(), { baseUrl: `http://127.0.0.1:${port}` });
    expect(result).toMatchObject({ outcome: "server-error", httpStatus: 200 });
    expect(result.message).toMatch(/over 1 MB/);
  });

  it("an answer just under the cap is still read and judged", async () => {
    const json = JSON.stringify({ data: [], padding: "x".repeat(MAX_ANSWER_BYTES - 100) });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    const fakeFetch = (async () => new Response(json, { status: 200 })) as typeof fetch;
    const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch });
    expect(result.outcome).toBe("valid");
  });

  it("the timeout covers the body: one that stops half-way is unreachable, not a wait forever", async () => {
    const fakeFetch = (async (_url: unknown, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"data":['));
          init?.signal?.addEventListener("abort", () => controller.error(init.signal!.reason));
        },
      });
      return new Response(body, { status: 200 });
    }) as typeof fetch;
    const result = await checkKey(makeRecord(), { baseUrl: "https://asc.example", fetch: fakeFetch, timeoutMs: 200 });
    expect(result.outcome).toBe("unreachable");
    expect(result.message).toMatch(/no answer within 200 ms/);
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

describe("rate limit header and outcome vocabulary", () => {
  it("parses X-Rate-Limit", () => {
    expect(parseRateLimit("user-hour-lim:3600;user-hour-rem:3542;")).toEqual({
      rateLimitLimit: 3600,
      rateLimitRemaining: 3542,
    });
    expect(parseRateLimit("user-hour-rem: 7 ; user-hour-lim:3600")).toEqual({
      rateLimitLimit: 3600,
      rateLimitRemaining: 7,
    });
    expect(parseRateLimit("user-hour-lim:abc;")).toEqual({});
    expect(parseRateLimit(null)).toEqual({});
  });
});
