/** What Apple's pages let the capability check conclude, and the privilege warning. */
import { roleWords } from "../../../src/lib/apple/roles";
import { describe, expect, it } from "vitest";
import { APPLE_USERS_PAGE, drawConclusions, privilegeWarning } from "../../../src/lib/apple/conclusions";

describe("drawConclusions", () => {
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
    // A team key: roles.ts's note (the one step that settles App Manager or Admin), an info.
    expect(manages).toEqual({
      id: "manages-users",
      level: "info",
      text: roleWords("ABC1234DEF", "yes", undefined, "")?.text,
      sources: [APPLE_USERS_PAGE],
    });
    const individual = drawConclusions({
      keyId: "ABC1234DEF",
      kind: "individual",
      areas: { users: { answer: "yes" } },
    });
    expect(individual.find((c) => c.id === "manages-users")).toMatchObject({
      level: "warn",
      text: privilegeWarning("ABC1234DEF", "individual"),
    });
  });

  it("a recorded role: App Manager says nothing, Admin gets the advice to rotate", () => {
    const seen = { keyId: "ABC1234DEF", kind: "team" as const, areas: { users: { answer: "yes" as const } } };
    expect(drawConclusions(seen, "switch", "app-manager").find((c) => c.id === "manages-users")).toBeUndefined();
    expect(drawConclusions(seen, "switch", "admin").find((c) => c.id === "manages-users")).toMatchObject({
      level: "warn",
      text: expect.stringMatching(
        /is an Admin key .* an App Manager key uploads builds and manages TestFlight \(switch\)/,
      ),
    });
  });
});
