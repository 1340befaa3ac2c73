/**
 * A local stand-in for the App Store Connect API that judges tokens the way Apple does.
 *
 *   const apple = await startAppleStandIn();
 *   apple.register({ keyId, kind: "team", issuerId, publicKey });  // publicKey: KeyObject, or a PEM (public or private)
 *   apple.registerRecord(record, "role-limited");                   // same, from a KeyRecord
 *   await checkKey(record, { baseUrl: apple.url });                 // or env LINGCODE_ASC_API_URL=apple.url for a child
 *   apple.requests;  apple.lastToken;  apple.setBehaviour(keyId, "revoked");  await apple.close();
 *
 * It listens on 127.0.0.1 on a free port; the server runs in the process that started it, so a child process
 * (CLI, scripts) reaches it through `LINGCODE_ASC_API_URL=<apple.url>`. It also answers requests sent to it as to an
 * HTTP proxy (the request line holds the absolute URI, `GET https://api.appstoreconnect.apple.com/v1/apps`), as a
 * client with a fixed base URL sends them under `HTTPS_PROXY=<apple.url>` (@expo/apple-utils): it judges them as its
 * own (`requests[i].proxiedFor` keeps the host asked for) and never forwards anything.
 *
 * Judging (in order), every refusal being Apple's 401 NOT_AUTHORIZED body (the reason is kept in `requests[i].reason`):
 * `Authorization: Bearer <jwt>`; three base64url parts; header `alg: ES256`, `typ: JWT`, `kid` registered; ES256
 * signature verified with node:crypto against the registered public key (not with jose); `aud: appstoreconnect-v1`;
 * integer `exp`; `iat` may be left out, as Apple accepts (appstore-connect-sdk sends none), but is an integer when
 * given; the lifetime (`exp - iat`, or without `iat` `exp` minus the stand-in's clock) at most 1200 s; `iat` not after
 * the stand-in's clock; `exp` after it; team keys
 * `iss` = the registered Issuer ID and no `sub`; individual keys `sub: "user"` and no `iss`; if the token has a
 * `scope`, one entry must equal `"<METHOD> <path?query>"` or `"<METHOD> <path>"` (Apple's exact matching rules are
 * not documented; this is an assumption).
 *
 * Routes after a good token: `GET /v1/apps` answers one app; `GET /v1/builds`, `/v1/betaGroups`, `/v1/certificates`,
 * `/v1/bundleIds` and `/v1/users` answer a one-item list or 403 FORBIDDEN_ERROR as the key's role allows (below);
 * anything else 404 NOT_FOUND.
 *
 * Roles (`role`, default "app-manager"; `certificates` for "access to Certificates, Identifiers & Profiles"), as
 * Apple's pages give each task. What Apple documents is who may *do* a task; that the API lets the same roles *read*
 * the matching list is this stand-in's assumption.
 * - apps: every key ("Team: Access to all apps, with varying levels of access based on selected roles",
 *   https://developer.apple.com/documentation/appstoreconnectapi/creating-api-keys-for-app-store-connect-api).
 * - builds: Admin, App Manager, Developer ("Upload builds. Required role: Account Holder, Admin, App Manager, or
 *   Developer", https://developer.apple.com/help/app-store-connect/manage-builds/upload-builds).
 * - betaGroups: Admin, App Manager ("Invite external testers. Required role: Account Holder, Admin, or App
 *   Manager", https://developer.apple.com/help/app-store-connect/test-a-beta-version/invite-external-testers).
 * - certificates, bundleIds: Admin ("If the Admin is part of an organization team, they have Certificates,
 *   Identifiers & Profiles by default", https://developer.apple.com/help/app-store-connect/reference/role-permissions);
 *   App Manager and Developer only with `certificates: true` ("Requires access to Certificates, Identifiers &
 *   Profiles, granted in Users and Access", https://developer.apple.com/support/roles/); never Finance; never an
 *   individual key ("Individual keys aren't able to use Provisioning endpoints", creating-api-keys page above).
 * - users: Admin, App Manager ("Add a user. Required role: Account Holder, Admin, or App Manager",
 *   https://developer.apple.com/help/app-store-connect/manage-your-team/add-and-edit-users).
 * Finance ("Manages financial information, including downloading reports and uploading tax forms", role-permissions
 * page) reads apps only. An individual key has the role of its user (`role`), less provisioning.
 *
 * Behaviour per key (a name, or an object with `answer`):
 * - "ok" (default): 200.
 * - "revoked": 401 NOT_AUTHORIZED, even for a good token.
 * - "role-limited": 403 FORBIDDEN_ERROR "The API key in use does not allow this request".
 * - "agreement": 403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED.
 * - "rate-limited": 429 RATE_LIMIT_EXCEEDED with `user-hour-rem:0`. (A key also gets 429 once its counter, which
 *   starts at `rateLimitRemaining` or 3600 and drops by one per judged request, reaches 0.)
 * - "server-error": 500 UNEXPECTED_ERROR; "unavailable": 503 with an HTML body.
 * - "garbage": 200 with an HTML page (a captive portal).
 * - "hang": accepts the connection and never answers (until `close()`); `hungUp` once the client gives up.
 * Hostile answers, as a proxy, a broken server or an attacker on the path could send them:
 * - "endless": 200 `application/json` whose body never ends (sent as fast as the client reads, until it hangs up).
 * - "gzip-bomb": 200 `Content-Encoding: gzip`, about 3 MB on the wire that inflate to GZIP_BOMB_BYTES (3 GiB) of
 *   spaces (gzip members back to back, which gunzip reads as one stream).
 * - "html-401", "html-403", "html-429": that status with an HTML page instead of Apple's JSON.
 * - "hostile-words": after a good token, 403 with a code this check does not know and a `title` and `detail` full
 *   of terminal controls (HOSTILE_TITLE, HOSTILE_DETAIL: ESC sequences, BEL, CR, C1 CSI, DEL).
 * The server-side ones ("server-error", "unavailable", "garbage", "hang", "endless", "gzip-bomb", "html-*") apply
 * before the token is judged, to the key named by the token's `kid`.
 *
 * Clock: the stand-in's clock is `Date.now() + clockSkewSeconds` (option at start, `setClockSkew`, or per key
 * `clockSkewSeconds`). It judges `iat`/`exp` with that clock and sends it as the `Date` header, as Apple's `Date`
 * reveals a local clock that is off. Answers to a judged token carry
 * `X-Rate-Limit: user-hour-lim:3600;user-hour-rem:N;`.
 */
import type { ConclusionId } from "../../src/lib/apple/conclusions";
import { createPublicKey, KeyObject, randomUUID, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { KeyRecord } from "../../src/lib/record";
import { clearTokenCache } from "../../src/lib/token";

export type Answer =
  | "ok"
  | "revoked"
  | "role-limited"
  | "agreement"
  | "rate-limited"
  | "server-error"
  | "unavailable"
  | "garbage"
  | "hang"
  | "endless"
  | "gzip-bomb"
  | "html-401"
  | "html-403"
  | "html-429"
  | "hostile-words";

/** Apple's `title` in a "hostile-words" answer: clears the screen, retitles the window, rings, returns, C1 CSI. */
export const HOSTILE_TITLE = "Evil\u001b[2J\u001b]0;pwned\u0007 title\r\u009b31mred\u007f";
/** Apple's `detail` in a "hostile-words" answer. */
export const HOSTILE_DETAIL = "Detail\u001b[31m in red\u0007\r\u0085next";
/** What a "gzip-bomb" body inflates to: more than the 2 GiB a Buffer or string can hold. */
export const GZIP_BOMB_BYTES = 3 * 1024 ** 3;
const GZIP_MEMBER_BYTES = 16 * 1024 ** 2;
let gzipMember: Buffer | undefined;

/** The access a key was made with (team keys), or its user's role (individual keys). */
export type StandInRole = "admin" | "app-manager" | "developer" | "finance";

/**
 * One key per role as the table at the top gives it: what the capability check must find in each area (in the
 * check's order) and the conclusions Apple's pages allow. The core, CLI and AI tool tests of the check share it.
 */
export const ROLE_CASES: readonly {
  name: string;
  behaviour: Behaviour;
  kind: "team" | "individual";
  areas: Record<"apps" | "builds" | "testflight" | "provisioning" | "users", "yes" | "no">;
  conclusions: ConclusionId[];
}[] = [
  {
    name: "Admin",
    behaviour: { role: "admin" },
    kind: "team",
    areas: { apps: "yes", builds: "yes", testflight: "yes", provisioning: "yes", users: "yes" },
    conclusions: ["uploads-and-testflight", "manages-users", "provisioning"],
  },
  {
    name: "App Manager",
    behaviour: { role: "app-manager" },
    kind: "team",
    areas: { apps: "yes", builds: "yes", testflight: "yes", provisioning: "no", users: "yes" },
    conclusions: ["uploads-and-testflight", "manages-users", "no-provisioning"],
  },
  {
    name: "Developer without access to certificates",
    behaviour: { role: "developer" },
    kind: "team",
    areas: { apps: "yes", builds: "yes", testflight: "no", provisioning: "no", users: "no" },
    conclusions: ["uploads-only-if-developer", "no-testflight", "no-provisioning", "no-users"],
  },
  {
    name: "Developer with access to certificates",
    behaviour: { role: "developer", certificates: true },
    kind: "team",
    areas: { apps: "yes", builds: "yes", testflight: "no", provisioning: "yes", users: "no" },
    conclusions: ["uploads-only-if-developer", "no-testflight", "provisioning", "no-users"],
  },
  {
    name: "Finance",
    behaviour: { role: "finance" },
    kind: "team",
    areas: { apps: "yes", builds: "no", testflight: "no", provisioning: "no", users: "no" },
    conclusions: ["no-builds", "no-testflight", "no-provisioning", "no-users"],
  },
  {
    name: "individual key of an App Manager with certificate access",
    behaviour: { role: "app-manager", certificates: true },
    kind: "individual",
    areas: { apps: "yes", builds: "yes", testflight: "yes", provisioning: "no", users: "yes" },
    conclusions: ["uploads-and-testflight", "manages-users", "individual-no-provisioning"],
  },
];

export interface Behaviour {
  answer?: Answer;
  /** Default "app-manager". */
  role?: StandInRole;
  /** Access to Certificates, Identifiers & Profiles (App Manager and Developer; Admin has it anyway). */
  certificates?: boolean;
  /** Skews this key's view of the stand-in clock (and its `Date` header), in seconds; adds to the global skew. */
  clockSkewSeconds?: number;
  /** Starting value of the hourly counter (default 3600). */
  rateLimitRemaining?: number;
}

export interface StandInKey {
  keyId: string;
  kind: "team" | "individual";
  issuerId?: string;
  /** The public key, or a PEM of the public or the private key. */
  publicKey: KeyObject | string;
}

export interface StandInRequest {
  method: string;
  /** Path with query, e.g. `/v1/apps?limit=1`. */
  path: string;
  /** Sent in proxy form (an absolute URI in the request line): the host it was meant for. */
  proxiedFor?: string;
  authorization?: string;
  /** The token's `kid`, when the header could be read. */
  keyId?: string;
  /** Status answered; absent while unanswered (hang). */
  status?: number;
  /** Why a token was refused (401), for test messages. */
  reason?: string;
  /** The client closed the connection before an "endless" or "gzip-bomb" body was over, or while "hang" kept it waiting. */
  hungUp?: boolean;
}

export interface StartOptions {
  /** Seconds added to the stand-in's clock (negative: the stand-in is behind, so the local clock looks fast). */
  clockSkewSeconds?: number;
  /** Every answer waits this long first (a fixed network delay, for timing parallel requests). */
  delayMs?: number;
}

export interface AppleStandIn {
  /** `http://127.0.0.1:<port>`: pass as `baseUrl` or as `LINGCODE_ASC_API_URL`. */
  url: string;
  register(key: StandInKey, behaviour?: Behaviour | Answer): void;
  /** Registers a KeyRecord's key (public key derived from its private key). */
  registerRecord(
    record: Pick<KeyRecord, "kind" | "issuerId" | "keyId" | "privateKey">,
    behaviour?: Behaviour | Answer,
  ): void;
  setBehaviour(keyId: string, behaviour: Behaviour | Answer): void;
  setClockSkew(seconds: number): void;
  /**
   * Moves only the `Date` header Apple sends by this many seconds (tokens are still judged by the stand-in's clock):
   * "ten minutes later by Apple's clock" without waiting ten minutes or expiring the token.
   */
  setDateOffset(seconds: number): void;
  /** Every request received, oldest first. Empty it with `requests.length = 0`. */
  requests: StandInRequest[];
  /** The last bearer token received (any key, judged or not). */
  readonly lastToken: string | undefined;
  close(): Promise<void>;
}

const AUDIENCE = "appstoreconnect-v1";
const MAX_LIFETIME_SECONDS = 1200;
const HOURLY_LIMIT = 3600;

interface Registered {
  key: StandInKey & { publicKey: KeyObject };
  behaviour: Behaviour;
  remaining: number;
}

const APPLE_ERRORS = {
  401: {
    code: "NOT_AUTHORIZED",
    title: "Authentication credentials are missing or invalid.",
    detail:
      "Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens",
  },
  403: {
    code: "FORBIDDEN_ERROR",
    title: "This request is forbidden for security reasons",
    detail: "The API key in use does not allow this request",
  },
  agreement: {
    code: "FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED",
    title: "A required agreement is missing or has expired.",
    detail: "This request requires an in-effect agreement that has not been signed or has expired.",
  },
  404: {
    code: "NOT_FOUND",
    title: "The specified resource does not exist",
    detail: "The path provided does not match a defined resource type.",
  },
  429: {
    code: "RATE_LIMIT_EXCEEDED",
    title: "The request rate limit has been reached.",
    detail: "We've received too many requests for this API. Please wait and try again or slow down your request rate.",
  },
  500: {
    code: "UNEXPECTED_ERROR",
    title: "An unexpected error occurred.",
    detail:
      "An unexpected error occurred on the server side. If this issue continues, contact us at https://developer.apple.com/contact/.",
  },
} as const;

/**
 * The stand-in of one test file: started before its tests and closed after them; before each test its requests are
 * emptied, its clock and `Date` header put back, and the token cache cleared. The handle reaches the file's stand-in
 * once it has started (in a test or a hook, not while the file is collected).
 */
/**
 * A pause for a stray-401 test: records how long it was asked to wait, and has Apple answer `answer` for `keyId` after
 * it (as a key Apple refused once and accepts, or refuses, when asked again).
 */
export function pauseThen(apple: AppleStandIn, keyId: string, answer: "ok" | "revoked") {
  const waited: number[] = [];
  const pause = async (ms: number) => {
    waited.push(ms);
    apple.setBehaviour(keyId, answer);
  };
  return { waited, pause };
}

export function useAppleStandIn(options: StartOptions = {}): AppleStandIn {
  let standIn: AppleStandIn | undefined;
  const current = (): AppleStandIn => {
    if (!standIn) throw new Error("The Apple stand-in starts in beforeAll.");
    return standIn;
  };
  beforeAll(async () => {
    standIn = await startAppleStandIn(options);
  });
  afterAll(async () => {
    await standIn?.close();
  });
  beforeEach(() => {
    current().requests.length = 0;
    current().setClockSkew(0);
    current().setDateOffset(0);
    clearTokenCache();
  });
  return new Proxy({} as AppleStandIn, {
    get(_, property) {
      const value: unknown = Reflect.get(current(), property);
      return typeof value === "function" ? value.bind(current()) : value;
    },
  });
}

export async function startAppleStandIn(options: StartOptions = {}): Promise<AppleStandIn> {
  const keys = new Map<string, Registered>();
  const requests: StandInRequest[] = [];
  let globalSkew = options.clockSkewSeconds ?? 0;
  let dateOffsetMs = 0;
  let lastToken: string | undefined;

  const toBehaviour = (b: Behaviour | Answer | undefined): Behaviour =>
    typeof b === "string" ? { answer: b } : { ...b };

  const server = createServer((req, res) => {
    const entry: StandInRequest = { method: req.method ?? "GET", ...requestTarget(req.url ?? "/") };
    if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization;
    requests.push(entry);
    req.resume();
    if (options.delayMs) setTimeout(() => handle(req, res, entry), options.delayMs);
    else handle(req, res, entry);
  });

  function handle(req: IncomingMessage, res: ServerResponse, entry: StandInRequest): void {
    const auth = entry.authorization ?? "";
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (token) lastToken = token;
    const parts = token?.split(".");
    const header = parts?.length === 3 ? decodePart(parts[0]) : undefined;
    const kid = typeof header?.kid === "string" ? header.kid : undefined;
    if (kid) entry.keyId = kid;
    const registered = kid ? keys.get(kid) : undefined;
    const skew = globalSkew + (registered?.behaviour.clockSkewSeconds ?? 0);
    const clockMs = Date.now() + skew * 1000;
    const send = (status: number, body: string, type = "application/json", rateLimit?: number) => {
      entry.status = status;
      res.setHeader("Date", new Date(clockMs + dateOffsetMs).toUTCString());
      res.setHeader("Content-Type", type);
      if (rateLimit !== undefined)
        res.setHeader("X-Rate-Limit", `user-hour-lim:${HOURLY_LIMIT};user-hour-rem:${rateLimit};`);
      res.statusCode = status;
      res.end(body);
    };
    const appleError = (status: number, which: keyof typeof APPLE_ERRORS, rateLimit?: number) =>
      send(
        status,
        JSON.stringify({ errors: [{ id: randomUUID(), status: String(status), ...APPLE_ERRORS[which] }] }),
        "application/json",
        rateLimit,
      );
    const refuse = (reason: string) => {
      entry.reason = reason;
      appleError(401, 401);
    };

    const html = (status: number) =>
      send(
        status,
        `<!doctype html><html><body><h1>${status}</h1><p>Sign in to continue.</p></body></html>`,
        "text/html",
      );

    switch (registered?.behaviour.answer) {
      case "hang":
        // Never answered; close() destroys the connection. A client that gives up is recorded as hanging up.
        res.once("close", () => (entry.hungUp = true));
        return;
      case "endless":
        entry.status = 200;
        res.writeHead(200, { "Content-Type": "application/json", Date: new Date(clockMs).toUTCString() });
        return pump(res, entry, () => ENDLESS_CHUNK, Infinity);
      case "gzip-bomb":
        entry.status = 200;
        gzipMember ??= gzipSync(Buffer.alloc(GZIP_MEMBER_BYTES, " "), { level: 9 });
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
          Date: new Date(clockMs).toUTCString(),
        });
        return pump(res, entry, () => gzipMember!, GZIP_BOMB_BYTES / GZIP_MEMBER_BYTES);
      case "html-401":
        return html(401);
      case "html-403":
        return html(403);
      case "html-429":
        return html(429);
      case "server-error":
        return appleError(500, 500);
      case "unavailable":
        return send(503, "<html><body><h1>Service Unavailable</h1></body></html>", "text/html");
      case "garbage":
        return send(200, "<!doctype html><html><body>Welcome! Log in to use the Wi-Fi.</body></html>", "text/html");
    }

    if (!token || !parts || parts.length !== 3) return refuse("no bearer JWT");
    if (!header) return refuse("header is not JSON");
    if (header.alg !== "ES256") return refuse(`alg is ${String(header.alg)}, not ES256`);
    if (header.typ !== "JWT") return refuse(`typ is ${String(header.typ)}, not JWT`);
    if (!kid || !registered) return refuse(`kid ${String(kid)} is not registered`);
    const signature = Buffer.from(parts[2], "base64url");
    const signed = verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: registered.key.publicKey, dsaEncoding: "ieee-p1363" },
      signature,
    );
    if (!signed) return refuse("bad signature");
    const claims = decodePart(parts[1]);
    if (!claims) return refuse("payload is not JSON");
    const nowSeconds = Math.floor(clockMs / 1000);
    if (claims.aud !== AUDIENCE) return refuse(`aud is ${JSON.stringify(claims.aud)}`);
    if (!Number.isInteger(claims.exp)) return refuse("exp missing or not an integer");
    if (claims.iat !== undefined && !Number.isInteger(claims.iat)) return refuse("iat is not an integer");
    // Without iat, the token lives from now on (Apple accepts it, and still refuses one good for over 20 minutes).
    const iat = (claims.iat as number | undefined) ?? nowSeconds;
    const exp = claims.exp as number;
    if (exp - iat > MAX_LIFETIME_SECONDS) return refuse(`lifetime ${exp - iat} s is over ${MAX_LIFETIME_SECONDS} s`);
    if (iat > nowSeconds) return refuse(`iat is ${iat - nowSeconds} s in the future`);
    if (exp <= nowSeconds) return refuse(`token expired ${nowSeconds - exp} s ago`);
    if (registered.key.kind === "team") {
      if (claims.sub !== undefined) return refuse("team token has a sub");
      if (claims.iss !== registered.key.issuerId) return refuse("iss does not match the Issuer ID");
    } else {
      if (claims.sub !== "user") return refuse('individual token has no sub "user"');
      if (claims.iss !== undefined) return refuse("individual token has an iss");
    }
    if (claims.scope !== undefined) {
      const pathOnly = entry.path.split("?")[0];
      const allowed = [`${entry.method} ${entry.path}`, `${entry.method} ${pathOnly}`];
      if (!Array.isArray(claims.scope) || !claims.scope.some((s: unknown) => allowed.includes(s as string))) {
        return refuse("request is outside the token's scope");
      }
    }

    const behaviour = registered.behaviour.answer ?? "ok";
    if (behaviour === "revoked") return refuse("key revoked");
    if (behaviour === "rate-limited") registered.remaining = 0;
    if (registered.remaining <= 0) return appleError(429, 429, 0);
    registered.remaining -= 1;
    const remaining = registered.remaining;
    if (behaviour === "agreement") return appleError(403, "agreement", remaining);
    if (behaviour === "role-limited") return appleError(403, 403, remaining);
    if (behaviour === "hostile-words") {
      const error = { status: "403", code: "FORBIDDEN.SOMETHING_NEW", title: HOSTILE_TITLE, detail: HOSTILE_DETAIL };
      return send(403, JSON.stringify({ errors: [error] }), "application/json", remaining);
    }

    const pathname = entry.path.split("?")[0];
    if (req.method === "GET" && pathname === "/v1/apps") {
      return send(200, JSON.stringify(appsPage(entry.path)), "application/json", remaining);
    }
    const resource = req.method === "GET" ? LISTS[pathname] : undefined;
    if (resource) {
      if (!mayRead(registered, resource)) return appleError(403, 403, remaining);
      return send(200, JSON.stringify(listPage(resource, entry.path)), "application/json", remaining);
    }
    return appleError(404, 404, remaining);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const standIn: AppleStandIn = {
    url: `http://127.0.0.1:${port}`,
    register(key, behaviour) {
      const publicKey = typeof key.publicKey === "string" ? createPublicKey(key.publicKey) : key.publicKey;
      const b = toBehaviour(behaviour);
      keys.set(key.keyId, {
        key: { ...key, publicKey },
        behaviour: b,
        remaining: b.rateLimitRemaining ?? HOURLY_LIMIT,
      });
    },
    registerRecord(record, behaviour) {
      standIn.register(
        {
          keyId: record.keyId,
          kind: record.kind,
          issuerId: record.issuerId,
          publicKey: createPublicKey(record.privateKey),
        },
        behaviour,
      );
    },
    setBehaviour(keyId, behaviour) {
      const registered = keys.get(keyId);
      if (!registered) throw new Error(`Key ${keyId} is not registered with the stand-in`);
      registered.behaviour = toBehaviour(behaviour);
      if (registered.behaviour.rateLimitRemaining !== undefined)
        registered.remaining = registered.behaviour.rateLimitRemaining;
    },
    setClockSkew(seconds) {
      globalSkew = seconds;
    },
    setDateOffset(seconds) {
      dateOffsetMs = seconds * 1000;
    },
    requests,
    get lastToken() {
      return lastToken;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return standIn;
}

/**
 * The path (with query) a request line names: as it is (origin form), or taken from an absolute URI (proxy form, what
 * a client sends to an HTTP proxy), with the host it was meant for. Nothing is ever forwarded there.
 */
function requestTarget(target: string): Pick<StandInRequest, "path" | "proxiedFor"> {
  if (!/^https?:\/\//i.test(target)) return { path: target };
  const url = new URL(target);
  return { path: `${url.pathname}${url.search}`, proxiedFor: url.host };
}

const ENDLESS_CHUNK = Buffer.from(`{"data":[${" ".repeat(64 * 1024 - 9)}`);

/** Writes `count` chunks (Infinity: until the client hangs up), only as fast as the client reads them. */
function pump(res: ServerResponse, entry: StandInRequest, chunk: () => Buffer, count: number): void {
  let sent = 0;
  res.on("error", () => undefined);
  res.on("close", () => {
    if (!res.writableFinished) entry.hungUp = true;
  });
  const more = () => {
    while (!res.destroyed && sent < count) {
      sent += 1;
      if (!res.write(chunk())) return void res.once("drain", more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

type Resource = "builds" | "betaGroups" | "certificates" | "bundleIds" | "users";

const LISTS: Record<string, Resource | undefined> = {
  "/v1/builds": "builds",
  "/v1/betaGroups": "betaGroups",
  "/v1/certificates": "certificates",
  "/v1/bundleIds": "bundleIds",
  "/v1/users": "users",
};

/** Which roles read which list: see the table at the top, with Apple's pages. */
const READERS: Record<Resource, readonly StandInRole[]> = {
  builds: ["admin", "app-manager", "developer"],
  betaGroups: ["admin", "app-manager"],
  certificates: ["admin", "app-manager", "developer"],
  bundleIds: ["admin", "app-manager", "developer"],
  users: ["admin", "app-manager"],
};

function mayRead(registered: Registered, resource: Resource): boolean {
  const role = registered.behaviour.role ?? "app-manager";
  if (!READERS[resource].includes(role)) return false;
  if (resource === "certificates" || resource === "bundleIds") {
    if (registered.key.kind === "individual") return false;
    return role === "admin" || registered.behaviour.certificates === true;
  }
  return true;
}

function listPage(resource: Resource, path: string) {
  const id = `${resource}-1`;
  return {
    data: [
      {
        type: resource,
        id,
        attributes: {},
        links: { self: `https://api.appstoreconnect.apple.com/v1/${resource}/${id}` },
      },
    ],
    links: { self: `https://api.appstoreconnect.apple.com${path}` },
    meta: { paging: { total: 1, limit: 1 } },
  };
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function appsPage(path: string) {
  const self = `https://api.appstoreconnect.apple.com${path}`;
  return {
    data: [
      {
        type: "apps",
        id: "1234567890",
        attributes: {
          name: "LingCode Test App",
          bundleId: "com.example.lingcode",
          sku: "LINGCODE1",
          primaryLocale: "en-US",
        },
        links: { self: "https://api.appstoreconnect.apple.com/v1/apps/1234567890" },
      },
    ],
    links: { self },
    meta: { paging: { total: 1, limit: 1 } },
  };
}
