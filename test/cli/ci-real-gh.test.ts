/**
 * asc-key ci github against the real GitHub command line (Debian's gh), offline. gh is given an empty config folder
 * (GH_CONFIG_DIR) and, where it should be logged in, GH_TOKEN; GH_HOST=github.localhost makes gh talk plain HTTP to
 * http://api.github.localhost/ (cli/cli internal/ghinstance/host.go, RESTPrefix), and HTTP_PROXY sends those requests
 * to a stand-in of GitHub's REST API in this process. The stand-in hands out a public key, records each secret gh
 * PUTs (its name, and the length of its sealed box: 48 bytes more than the value) and answers as GitHub does:
 * 404 for a repository gh cannot see, 403 without admin rights, 401 for a bad token, 422 for a refused name.
 *
 * `npm test` sets LINGCODE_TEST_GH when gh is installed; under CI=true a missing gh fails the run (scripts/test.mjs).
 */
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ciNames, planCiSecrets, CI_GROUPS } from "../../src/lib/ci";
import { ACCOUNT } from "../../src/lib/keychain";
import { serializeRecord, type KeyRecord } from "../../src/lib/record";
import { cli, expectFailure, storeSecret, tmp, useCliMemoryKeychain } from "../support/asc-key";
import { testService } from "../support/keyring";
import { ISSUER_ID, makeKey, makeRecord, type TestKey } from "../support/keys";
import { expectNoSecretIn } from "../support/leaks";

const HAS_GH = process.env.LINGCODE_TEST_GH === "1";
const TOKEN = "gho_standin";

interface Put {
  path: string;
  name: string;
  sealedBytes: number;
  body: string;
}

let server: Server;
let proxy: string;
let puts: Put[] = [];
let answers: { repo: number; refuse: string[]; token: string } = { repo: 200, refuse: [], token: TOKEN };

let key: TestKey;
let record: KeyRecord;
let service: string;

useCliMemoryKeychain();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://api.github.localhost");
      const json = (status: number, value: unknown) => {
        response.statusCode = status;
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(value));
      };
      if (request.headers.authorization !== `token ${answers.token}`) {
        return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      }
      if (request.method === "GET" && url.pathname.endsWith("/actions/secrets/public-key")) {
        if (answers.repo === 404) return json(404, { message: "Not Found" });
        if (answers.repo === 403) return json(403, { message: "Must have admin rights to Repository." });
        return json(200, { key_id: "568250167242549743", key: Buffer.alloc(32, 9).toString("base64") });
      }
      const put = /^\/repos\/[^/]+\/[^/]+\/actions\/secrets\/([A-Za-z0-9_]+)$/.exec(url.pathname);
      if (request.method === "PUT" && put) {
        const name = put[1];
        if (answers.refuse.includes(name)) return json(422, { message: "Invalid secret name" });
        const sealed = Buffer.from((JSON.parse(body) as { encrypted_value: string }).encrypted_value, "base64");
        puts.push({ path: url.pathname, name, sealedBytes: sealed.length, body });
        return json(201, {});
      }
      json(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  proxy = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(async () => {
  puts = [];
  answers = { repo: 200, refuse: [], token: TOKEN };
  service = testService("ci-gh");
  key = makeKey();
  record = makeRecord({}, key);
  await storeSecret(service, ACCOUNT, serializeRecord(record));
});

/** asc-key ci github with real gh: an empty gh config, the stand-in as GitHub, nothing else from this machine. */
function run(args: string[], env: Record<string, string> = {}) {
  const home = path.join(tmp, `gh-home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(home, "config"), { recursive: true });
  return cli(["ci", "github", ...args], {
    exactEnv: {
      PATH: "/usr/bin:/bin",
      HOME: home,
      GH_CONFIG_DIR: path.join(home, "config"),
      GH_HOST: "github.localhost",
      HTTP_PROXY: proxy,
      http_proxy: proxy,
      NO_PROXY: "",
      LINGCODE_KEYCHAIN_SERVICE: service,
      ...env,
    },
  });
}

// Without gh, scripts/test.mjs names this group as skipped at the start and end of the run, and under CI=true fails
// the run before vitest starts.
describe.skipIf(!HAS_GH)("asc-key ci github with the real gh", () => {
  it("not logged in (empty GH_CONFIG_DIR, no GH_TOKEN): gh exits 4 and asc-key names gh auth login", async () => {
    const result = await run(["--repo", "github.localhost/acme/app"]);
    expectFailure(result, 7, /run gh auth login \(or set GH_TOKEN\)/);
    expect(puts).toHaveLength(0);
  });

  it("sets every name through gh secret set -f -, each sealed value as long as the planned one", async () => {
    const result = await run(["--repo", "github.localhost/acme/app"], { GH_TOKEN: TOKEN });
    expect(result.status, result.stderr).toBe(0);
    const planned = planCiSecrets(record, CI_GROUPS);
    expect(puts.map((put) => put.name).sort()).toEqual(
      ciNames("team", CI_GROUPS)
        .names.map((n) => n.name)
        .sort(),
    );
    for (const secret of planned) {
      const put = puts.find((p) => p.name === secret.name)!;
      // A sealed box is the value plus 48 bytes: gh received each value whole, the PEM's line breaks included.
      expect(put.sealedBytes - 48, secret.name).toBe(Buffer.byteLength(secret.value));
      expect(put.path).toBe(`/repos/acme/app/actions/secrets/${secret.name}`);
    }
    expectNoSecretIn({ pems: [key.pem], issuerIds: [ISSUER_ID] }, [
      ["stdout", result.stdout],
      ["stderr", result.stderr],
      ...puts.map((put): [string, string] => [`PUT ${put.name}`, put.body]),
    ]);
  });

  it("a bad token (HTTP 401): log in again", async () => {
    answers.token = "another";
    expectFailure(await run(["--repo", "github.localhost/acme/app"], { GH_TOKEN: TOKEN }), 7, /gh auth login/);
  });

  it("a repository gh cannot see (HTTP 404), and one without admin rights (HTTP 403)", async () => {
    answers.repo = 404;
    expectFailure(
      await run(["--repo", "github.localhost/acme/app"], { GH_TOKEN: TOKEN }),
      7,
      /GitHub has no repository github\.localhost\/acme\/app that gh's account can see/,
    );
    answers.repo = 403;
    expectFailure(
      await run(["--repo", "github.localhost/acme/app"], { GH_TOKEN: TOKEN }),
      7,
      /may not manage secrets.*admin/,
    );
    expect(puts).toHaveLength(0);
  });

  it("a refused name: which were set, which not", async () => {
    answers.refuse = ["ASC_PRIVATE_KEY_B64"];
    const result = await run(["--repo", "github.localhost/acme/app", "--only", "asc"], { GH_TOKEN: TOKEN });
    expectFailure(result, 7, /not set ASC_PRIVATE_KEY_B64 \(HTTP 422.*run the same command again/);
    expect(puts.map((put) => put.name).sort()).toEqual(["ASC_ISSUER_ID", "ASC_KEY_ID"]);
  });
});
