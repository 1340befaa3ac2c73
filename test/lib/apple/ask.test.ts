/**
 * Asking Apple: the address policy (https, or plain http to this computer only), redirects refused, the network
 * reasons, the bounded body and the timeout that covers it, and the `X-Rate-Limit` header, through the checks that
 * use them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkCapabilities, checkKey, DEFAULT_ASC_API_URL } from "../../../src/lib/apple";
import { isLoopbackHost, MAX_ANSWER_BYTES, parseRateLimit, readCapped } from "../../../src/lib/apple/ask";
import { makeKey, makeRecord } from "../../support/keys";

describe("checkKey without Apple", () => {
  let servers: Array<{ close(): void }> = [];
  afterEach(() => {
    servers.forEach((s) => s.close());
    servers = [];
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

  it("a body over the cap (1 MiB) is not read to the end, and the area is unknown", async () => {
    const report = await checkCapabilities(makeRecord(), { baseUrl: url, areas: ["apps"] });
    expect(report.areas.apps).toMatchObject({ answer: "unknown", cause: "unexpected" });
    expect(report.areas.apps?.reason).toBe("an answer over 1 MB (HTTP 200), not App Store Connect's");
  });

  it("readCapped: within the cap the text, over it undefined (declared or not)", async () => {
    expect(await readCapped(new Response("hello"), 5)).toBe("hello");
    expect(await readCapped(new Response("hello!"), 5)).toBeUndefined();
    expect(await readCapped(await fetch(`${url}/declared`), 1024 * 1024)).toBeUndefined();
  });
});
