/**
 * asc-key verify and verify --capabilities against the private Secret Service and the Apple stand-in, in this process.
 */
import { describe, expect, it } from "vitest";
import { CLI_SWITCH_HINT } from "../../src/cli/capabilities";
import { KEY_ROLE, roleWords } from "../../src/lib/apple/roles";
import { ACCOUNT } from "../../src/lib/keychain";
import { ROLE_CASES, type Behaviour, pauseThen as pauseAndAnswer } from "../support/apple-stand-in";
import { clearDirectly, HAS_KEYRING } from "../support/keyring";
import { makeKeyId } from "../support/keys";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
import { closedPortUrl } from "../support/network";
import {
  apple,
  cli,
  cliInOrder,
  expectFailure,
  expectNoSecrets,
  key,
  keyId,
  p8,
  registerTeam,
  service,
  useCliWorld,
  realKeyring,
} from "../support/asc-key";

describe.skipIf(!HAS_KEYRING)("verify against a private Secret Service and the Apple stand-in", () => {
  useCliWorld();

  describe("verify", () => {
    it("exits 1 when no key is configured", async () => {
      expectFailure(await cli(["verify"]), 1, /No, no ASC key configured/);
      expectFailure(await cli(["verify", "--json"]), 1);
    });

    it("prints the sentence for a valid key, and JSON with the documented fields and nothing secret", async () => {
      expect((await registerTeam()).status).toBe(0);
      const run = await cli(["verify"]);
      expect(run).toEqual({
        status: 0,
        stdout: `Key ${keyId} works: App Store Connect accepted it; nothing to do.\n`,
        stderr: "",
      });
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["outcome", "message", "rateLimitRemaining", "clockOffsetSeconds"]);
      expect(value.outcome).toBe("valid");
      expect(typeof value.rateLimitRemaining).toBe("number");
      expect(Math.abs(value.clockOffsetSeconds as number)).toBeLessThanOrEqual(2);
      expectNoSecrets(json.stdout + json.stderr + run.stdout, key);
    });

    it("exits 0 with a warning on stderr for role-limited, agreement-required and rate-limited", async () => {
      expect((await registerTeam()).status).toBe(0);
      const cases = [
        ["role-limited", "role-limited"],
        ["agreement", "agreement-required"],
        ["rate-limited", "rate-limited"],
      ] as const;
      for (const [behaviour, outcome] of cases) {
        apple.setBehaviour(keyId, behaviour);
        const run = await cli(["verify"]);
        expect(run.status, outcome).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`^Key ${keyId} .*\\n$`));
        expect(run.stderr).toMatch(/^asc-key: warning: the key is valid, but .*\n$/);
        const json = await cli(["verify", "--json"]);
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout)).toMatchObject({ outcome });
        expect(json.stderr).toMatch(/^asc-key: warning: /);
      }
    });

    it("exits 3 when Apple rejects the key", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "revoked");
      expectFailure(await cli(["verify"]), 3, /Apple rejected key/);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(3);
      const value = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(value.outcome).toBe("rejected");
      expect(Object.keys(value)).toEqual(["outcome", "message", "clockOffsetSeconds"]);
      expectNoSecrets(json.stdout, key);
    });

    describe("a stray 401", () => {
      const pauseThen = (answer: "ok" | "revoked") => pauseAndAnswer(apple, keyId, answer);

      it("for a key Apple accepted when it was saved: asked once more after a pause; the 200 decides, exit 0", async () => {
        expect((await registerTeam()).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        apple.requests.length = 0;
        const { waited, pause } = pauseThen("ok");
        const run = await cli(["verify"], { pause });
        expect(run).toEqual({
          status: 0,
          stdout: `Key ${keyId} works: App Store Connect accepted it; nothing to do.
`,
          stderr: "",
        });
        expect(waited).toEqual([2000]);
        // The 401, then the same question again: one request more, nothing else.
        expect(apple.requests.map((request) => [request.keyId, request.status])).toEqual([
          [keyId, 401],
          [keyId, 200],
        ]);
        // Still accepted: the next stray 401 is asked again too.
        apple.setBehaviour(keyId, "revoked");
        const again = pauseThen("ok");
        expect((await cli(["verify", "--json"], { pause: again.pause })).status).toBe(0);
        expect(again.waited).toHaveLength(1);
      });

      it("two 401s: rejected, exit 3; then the key is no longer taken as accepted", async () => {
        expect((await registerTeam()).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        apple.requests.length = 0;
        const { waited, pause } = pauseThen("revoked");
        const run = await cli(["verify"], { pause });
        expectFailure(run, 3, /asked again after a pause/);
        expect(waited).toHaveLength(1);
        // The 401, the same again after the pause, then as an individual key (apple/explain.ts).
        expect(apple.requests).toHaveLength(3);
        // Its last check was a 401: the next one is called rejected without a pause.
        const next = pauseThen("ok");
        expectFailure(await cli(["verify"], { pause: next.pause }), 3);
        expect(next.waited).toEqual([]);
      });

      it("for a key never accepted (saved without a check): rejected at once, no pause; accepted later, asked again", async () => {
        expect((await registerTeam(["--skip-verify"])).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        apple.requests.length = 0;
        const never = pauseThen("ok");
        expectFailure(await cli(["verify"], { pause: never.pause }), 3, /Apple rejected key/);
        expect(never.waited).toEqual([]);
        // The 401 and the individual-key ask only.
        expect(apple.requests).toHaveLength(2);

        // A check that Apple accepts is remembered: then a stray 401 is asked again.
        apple.setBehaviour(keyId, "ok");
        expect((await cli(["verify"])).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        const later = pauseThen("ok");
        expect((await cli(["verify"], { pause: later.pause })).status).toBe(0);
        expect(later.waited).toHaveLength(1);
      });

      it("verify --retired asks the key LingCode uses once more too", async () => {
        expect((await registerTeam()).status).toBe(0);
        apple.setBehaviour(keyId, "revoked");
        const { waited, pause } = pauseThen("ok");
        const run = await cli(["verify", "--retired"], { pause });
        expect(run.status, run.stderr).toBe(0);
        expect(waited).toHaveLength(1);
      });
    });

    it("exits 5 on a server error or when Apple is unreachable", async () => {
      expect((await registerTeam()).status).toBe(0);
      apple.setBehaviour(keyId, "server-error");
      expectFailure(await cli(["verify"]), 5, /server error/);
      const json = await cli(["verify", "--json"]);
      expect(json.status).toBe(5);
      expect(JSON.parse(json.stdout)).toMatchObject({ outcome: "server-error" });

      const closed = { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } };
      expectFailure(await cli(["verify"], closed), 5, /Could not reach App Store Connect/);
      const unreachable = await cli(["verify", "--json"], closed);
      expect(unreachable.status).toBe(5);
      const value = JSON.parse(unreachable.stdout) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(["outcome", "message"]);
      expect(value.outcome).toBe("unreachable");
    });
  });

  describe("verify --capabilities", () => {
    const AREA_LINES = ["Apps", "Builds", "TestFlight", "Provisioning", "Users and Access"];
    async function saveWithRole(behaviour: Behaviour, individual = false): Promise<string> {
      let id = keyId;
      if (individual) {
        id = makeKeyId();
        apple.register({ keyId: id, kind: "individual", publicKey: key.publicKey }, behaviour);
        expect((await cli(["register", "--individual", "--key-id", id, "--p8", p8, "--skip-verify"])).status).toBe(0);
      } else {
        apple.setBehaviour(keyId, behaviour);
        expect((await registerTeam(["--skip-verify"])).status).toBe(0);
      }
      apple.requests.length = 0;
      return id;
    }

    it.each(ROLE_CASES)("$name: each area's answer, the conclusions, exit 0", async (role) => {
      const id = await saveWithRole(role.behaviour, role.kind === "individual");
      const answers = Object.values(role.areas);
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status, run.stderr).toBe(0);
      expect(apple.requests).toHaveLength(6);
      const out = run.stdout.split("\n");
      expect(out[0]).toBe(`What key ${id} can do (6 requests):`);
      AREA_LINES.forEach((title, i) => {
        expect(out[i + 1]).toMatch(new RegExp(`^  ${title} +${answers[i]} +GET /v1/`));
      });

      const json = await cli(["verify", "--capabilities", "--json"]);
      expect(json.status).toBe(0);
      expect(json.stdout.trimEnd().split("\n")).toHaveLength(1);
      const value = JSON.parse(json.stdout) as {
        outcome: string;
        areas: Record<string, { answer: string }>;
        conclusions: { id: string; level: string; text: string; sources: string[] }[];
        requests: number;
      };
      expect(Object.keys(value)).toEqual([
        "outcome",
        "message",
        "keyId",
        "areas",
        "conclusions",
        "requests",
        "rateLimitRemaining",
        "clockOffsetSeconds",
        "checkedAt",
      ]);
      expect(value.outcome).toBe("valid");
      expect(Object.values(value.areas).map((a) => a.answer)).toEqual(answers);
      expect(value.conclusions.map((c) => c.id)).toEqual(role.conclusions);
      expect(value.requests).toBe(6);

      // Informative conclusions on stdout, warnings on stderr, one line each.
      for (const conclusion of value.conclusions) {
        if (conclusion.level === "info") expect(run.stdout).toContain(`${conclusion.text}\n`);
        else expect(run.stderr).toContain(`asc-key: warning: ${conclusion.text}\n`);
      }
      expectNoSecrets(run.stdout + run.stderr + json.stdout + json.stderr, key);
    });

    it("the Admin warning in the CLI says how to switch with the CLI", async () => {
      await saveWithRole({ role: "admin" });
      expect((await cli(["role", keyId, "admin"])).status).toBe(0);
      const run = await cli(["verify", "--capabilities"]);
      expect(run.stdout).toContain("  Role: Admin (recorded from Team Keys)\n");
      expect(run.stderr).toContain(`asc-key: warning: ${KEY_ROLE.admin.advice!(keyId, CLI_SWITCH_HINT)}\n`);
    });

    it("a role recorded from Team Keys: App Manager says nothing anywhere, Admin gets the advice to rotate", async () => {
      await saveWithRole({ role: "app-manager" });
      const recorded = await cli(["role", keyId, "App Manager"]);
      expect(recorded.status, recorded.stderr).toBe(0);
      expect(recorded.stdout).toMatch(
        new RegExp(`^".*" \\(Key ID ${keyId}\\) recorded as App Manager \\(from Team Keys\\)\\.\n$`),
      );
      expect(recorded.stderr).toBe("");
      const capabilities = await cli(["verify", "--capabilities"]);
      expect(capabilities.stdout).toContain("  Role: App Manager (recorded from Team Keys)\n");
      expect(capabilities.stdout + capabilities.stderr).not.toMatch(
        /Users and Access, so it is|warning:.*Users and Access/,
      );
      // Registered again (the same .p8, so the line keeps its role): the privilege probe finds nothing to say.
      const again = await registerTeam();
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toBe("");
      const admin = await cliInOrder(["role", keyId, "admin"]);
      expect(admin.stderr).toBe(`asc-key: warning: ${KEY_ROLE.admin.advice!(keyId, CLI_SWITCH_HINT)}\n`);
      // What to do comes first, then what was recorded.
      expect(admin.both).toBe(`${admin.stderr}${admin.stdout}`);
      expect(admin.stdout).toMatch(/recorded as Admin \(from Team Keys\)\.\n$/);
      expectFailure(await cli(["role", keyId, "developer"]), 2, /The role is one of app-manager, admin, none/);
      expect((await cli(["role", keyId, "none"])).stdout).toMatch(/no role recorded/);
    });

    it("a role Apple's last check contradicts (kept out of Users and Access): said first, then the recording", async () => {
      await saveWithRole({ role: "developer" });
      // Before any capability check nothing is known: App Manager is recorded with nothing more to say.
      const unchecked = await cli(["role", keyId, "app-manager"]);
      expect([unchecked.status, unchecked.stderr]).toEqual([0, ""]);
      expect((await cli(["verify", "--capabilities"])).stdout).toMatch(/Users and Access +no /);
      for (const role of ["app-manager", "admin"] as const) {
        const run = await cliInOrder(["role", keyId, role]);
        expect(run.status, run.stderr).toBe(0);
        const contradiction = roleWords(keyId, "no", role, CLI_SWITCH_HINT)!;
        expect(contradiction.text).toMatch(/but Apple keeps it out of Users and Access/);
        expect(run.both).toMatch(
          new RegExp(
            `^asc-key: warning: ${escapeRegExp(contradiction.text)}\n".*" \\(Key ID ${keyId}\\) recorded as ${KEY_ROLE[role].label} \\(from Team Keys\\)\\.\n$`,
          ),
        );
      }
    });

    it("rate limited: every area unknown with the reason, never no; exit 0 with the warning", async () => {
      await saveWithRole({ role: "admin", answer: "rate-limited" });
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status).toBe(0);
      for (const title of AREA_LINES) {
        expect(run.stdout).toMatch(new RegExp(`^  ${title} +unknown +GET .*\\(rate limited: .*\\)$`, "m"));
      }
      expect(run.stdout).not.toMatch(/ no +GET/);
      expect(run.stderr).toMatch(/warning: the key is valid, but it has used up this hour's requests/);
      const json = JSON.parse((await cli(["verify", "--capabilities", "--json"])).stdout) as {
        areas: Record<string, { answer: string; cause: string }>;
      };
      for (const area of Object.values(json.areas))
        expect(area).toMatchObject({ answer: "unknown", cause: "rate-limited" });
    });

    it("offline: exit 5, the reason on stderr; JSON says unknown (offline) for every area", async () => {
      await saveWithRole({ role: "admin" });
      const closed = { env: { LINGCODE_ASC_API_URL: await closedPortUrl() } };
      expectFailure(await cli(["verify", "--capabilities"], closed), 5, /Could not reach App Store Connect/);
      const json = await cli(["verify", "--capabilities", "--json"], closed);
      expect(json.status).toBe(5);
      const value = JSON.parse(json.stdout) as {
        outcome: string;
        areas: Record<string, { answer: string; reason: string }>;
      };
      expect(value.outcome).toBe("unreachable");
      for (const area of Object.values(value.areas)) {
        expect(area).toMatchObject({ answer: "unknown", reason: "offline: connection refused" });
      }
    });

    it("a rejected key exits 3; no key exits 1", async () => {
      await realKeyring();
      await saveWithRole({ role: "admin", answer: "revoked" });
      expectFailure(await cli(["verify", "--capabilities"]), 3, /Apple rejected key/);
      clearDirectly(service, ACCOUNT);
      expectFailure(await cli(["verify", "--capabilities"]), 1, /No, no ASC key configured/);
    });

    it("an agreement waiting: exit 0, every area unknown (agreement missing)", async () => {
      await saveWithRole({ role: "admin", answer: "agreement" });
      const run = await cli(["verify", "--capabilities"]);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^ {2}Users and Access +unknown +GET \/v1\/users \(agreement missing: /m);
      expect(run.stderr).toMatch(/Account Holder to accept an agreement/);
    });
  });
});
