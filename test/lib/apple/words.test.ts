import { describe, expect, it } from "vitest";
import { OUTCOMES } from "../../../src/lib/apple/outcomes";
import { APPLE_ERROR, NOT_REACHED, outcomeSentence } from "../../../src/lib/apple/words";

describe("what each outcome means, in the Apple room's words", () => {
  it("every sentence is one line that starts with a capital and ends with a full stop, with or without a Key ID", () => {
    for (const outcome of OUTCOMES) {
      for (const sentence of [outcomeSentence(outcome), outcomeSentence(outcome, { keyId: "2X9R4HXF34" })]) {
        expect(sentence).toMatch(/^[A-Z].*\.$/);
        expect(sentence).not.toMatch(/[\r\n]/);
      }
    }
    expect(outcomeSentence("valid", { keyId: "2X9R4HXF34" })).toContain("Key 2X9R4HXF34");
    expect(outcomeSentence("rejected", { keyId: "2X9R4HXF34", kind: "individual" })).toMatch(/profile/);
    expect(outcomeSentence("rejected", { keyId: "2X9R4HXF34", kind: "team" })).toMatch(
      /Team Keys|access\/integrations/,
    );
  });

  it("no answer, and an error of Apple's, are said in the same words wherever they are said", () => {
    expect(NOT_REACHED).toBe("App Store Connect could not be reached");
    expect(outcomeSentence("unreachable")).toBe(
      "App Store Connect could not be reached; check the internet connection and try again.",
    );
    expect(APPLE_ERROR).toBe("App Store Connect answered with an error");
    expect(outcomeSentence("server-error")).toBe(
      "App Store Connect answered with an error; try again in a few minutes.",
    );
  });
});
