import { describe, expect, it } from "vitest";
import { durationWords, printable, printableCut, WIDTH } from "../../src/lib/text";
import { LONE_SURROGATE, RAW_CONTROL } from "../support/controls";
import { filesMatching } from "../support/source";

describe("printable", () => {
  it("writes C0 controls, DEL, C1 controls and lone surrogates as visible escapes", () => {
    expect(printable("a\u001b[2Jb")).toBe("a\\x1b[2Jb");
    expect(printable("bell\u0007")).toBe("bell\\x07");
    expect(printable("over\rwrite")).toBe("over\\rwrite");
    expect(printable("two\nlines\tand a tab")).toBe("two\\nlines\\tand a tab");
    expect(printable("\u0000")).toBe("\\x00");
    expect(printable("del\u007f")).toBe("del\\u007f");
    expect(printable("csi\u009b31m nel\u0085")).toBe("csi\\u009b31m nel\\u0085");
    expect(printable("lone \ud800 and \udc00")).toBe("lone \\ud800 and \\udc00");
  });

  it("leaves printable text alone: ASCII, accents, CJK, emoji (surrogate pairs), non-breaking space", () => {
    for (const text of ["AuthKey_2X9R4HXF34.p8", "Clé privée", "鍵", "🔑 key", "a\u00a0b", ""]) {
      expect(printable(text)).toBe(text);
    }
  });

  it("leaves nothing raw, and a second pass changes nothing", () => {
    let every = "";
    for (let code = 0; code < 0x100; code++) every += String.fromCharCode(code);
    every += "\ud800x\udfff";
    const once = printable(every);
    expect(once).not.toMatch(RAW_CONTROL);
    expect(once).not.toMatch(LONE_SURROGATE);
    expect(printable(once)).toBe(once);
  });

  it("keeps JSON exact: over JSON.stringify's output it only writes escapes that JSON reads back as the same text", () => {
    const value = { message: "a\u007fb\u009bc\u0085d\ud800e\u001bf\nz" };
    const json = JSON.stringify(value);
    const shown = printable(json);
    expect(shown).not.toMatch(RAW_CONTROL);
    expect(shown).not.toMatch(LONE_SURROGATE);
    expect(JSON.parse(shown)).toEqual(value);
  });
});

describe("printable: invisible format characters and widths", () => {
  it("escapes bidirectional controls and other format characters (Cf), in and outside the BMP", () => {
    expect(printable("ab\u202ecd")).toBe("ab\\u202ecd");
    for (const char of ["\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff"]) {
      expect(printable(`x${char}y`)).toBe(`x\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}y`);
    }
    expect(printable("tag\u{e0001}")).toBe("tag\\udb40\\udc01");
    expect(printable("line\u2028sep")).toBe("line\\u2028sep");
    const json = JSON.stringify({ name: "a\u202eb\u200bc" });
    expect(JSON.parse(printable(json))).toEqual({ name: "a\u202eb\u200bc" });
    expect(printable(printable("a\u202eb"))).toBe("a\\u202eb");
  });

  it("with a named width, shows at most that many characters, the last one an ellipsis", () => {
    expect(printableCut("short", WIDTH.environmentValue)).toBe("short");
    const long = printableCut("X\u001b[31mEVIL\u0007AND A VERY LONG TAIL", WIDTH.environmentValue);
    expect([...long]).toHaveLength(WIDTH.environmentValue);
    expect(long).toBe("X\\x1b[31mEVIL\\x07AN…");
    expect([...printableCut("a".repeat(200), WIDTH.commandName)]).toHaveLength(WIDTH.commandName);
  });
});

describe("printable is one function", () => {
  it("no other function, constant or import alias in src is called printable", () => {
    expect(filesMatching(/\b(?:function|const|let)\s+printable\b|\bprintable\s+as\b|\bas\s+printable\b/)).toEqual({
      "lib/text.ts": 1,
    });
  });

  it("no other file cuts outside text to a width: printableCut is the one cut", () => {
    expect(filesMatching(/\bfunction\s+printable\w*/)).toEqual({ "lib/text.ts": 2 });
  });
});

describe("durationWords, the one duration formatter", () => {
  it("says a wait under a second in milliseconds, else in seconds to a tenth", () => {
    expect(durationWords(200)).toBe("200 ms");
    expect(durationWords(999)).toBe("999 ms");
    expect(durationWords(1000)).toBe("1 s");
    expect(durationWords(2500)).toBe("2.5 s");
    expect(durationWords(1249)).toBe("1.2 s");
    expect(durationWords(15_000)).toBe("15 s");
    expect(durationWords(60_000)).toBe("60 s");
  });

  it("is the only one: no other file in src formats a duration itself", () => {
    expect(filesMatching(/\bfunction\s+(?:durationWords|formatSeconds|formatDuration)\b/)).toEqual({
      "lib/text.ts": 1,
    });
    expect(filesMatching(/\/\s*1000\)?\s*[).]\s*toFixed|Math\.round\(\w+\s*\/\s*100\)\s*\/\s*10/)).toEqual({
      "lib/text.ts": 1,
    });
  });
});
