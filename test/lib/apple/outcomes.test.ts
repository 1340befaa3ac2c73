import { describe, expect, it } from "vitest";
import { isOutcome, OUTCOME, OUTCOMES, type Outcome } from "../../../src/lib/apple/outcomes";

describe("the table of Apple's answers", () => {
  it("lists the outcomes in order, and which mean the key works", () => {
    expect([...OUTCOMES]).toEqual([
      "valid",
      "role-limited",
      "agreement-required",
      "rejected",
      "rate-limited",
      "server-error",
      "unreachable",
    ]);
    expect(OUTCOMES.filter((o) => OUTCOME[o].usable)).toEqual([
      "valid",
      "role-limited",
      "agreement-required",
      "rate-limited",
    ]);
  });

  it.each<[Outcome, string, boolean, string]>([
    ["valid", "valid", true, "ok"],
    ["role-limited", "valid (small role)", true, "ok"],
    ["agreement-required", "valid, agreement to accept", true, "ok"],
    ["rejected", "rejected", true, "rejected"],
    ["rate-limited", "valid (rate-limited)", true, "ok"],
    ["server-error", "not checked: Apple had an error", false, "unavailable"],
    ["unreachable", "not checked: offline", false, "unavailable"],
  ])("%s: label %s, conclusive %s, exit %s", (outcome, label, conclusive, exit) => {
    expect(OUTCOME[outcome]).toMatchObject({ label, conclusive, exit });
  });

  it("only outcomes that exit 0 carry a CLI warning, and only usable outcomes exit 0", () => {
    for (const outcome of OUTCOMES) {
      const facts = OUTCOME[outcome];
      expect(facts.exit === "ok").toBe(facts.usable);
      if (facts.cliWarning) expect(facts.exit).toBe("ok");
    }
  });

  it("knows its own outcomes and nothing else", () => {
    expect(OUTCOMES.every(isOutcome)).toBe(true);
    expect(isOutcome("ok")).toBe(false);
    expect(isOutcome(undefined)).toBe(false);
  });
});
