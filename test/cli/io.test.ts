/**
 * The CLI's last line of defence: whatever a message was built from, no control character is written raw. (The
 * messages themselves are made printable where outside text enters them; hostile-apple.test.ts checks that end to end.)
 */
import { describe, expect, it } from "vitest";
import { errLine, outLine } from "../../src/cli/io";
import { RAW_CONTROL } from "../support/controls";

describe("stdout and stderr lines", () => {
  it("stderr: one line, prefixed, every control shown as an escape (a line break too)", () => {
    expect(errLine("file\u001b]0;pwned\u0007 not found\r\nasc-key: fake line\u009b2J")).toBe(
      "asc-key: file\\x1b]0;pwned\\x07 not found\\r\\nasc-key: fake line\\u009b2J",
    );
    expect(errLine("plain sentence.")).toBe("asc-key: plain sentence.");
  });

  it("stdout: keeps its line breaks (help texts) and escapes everything else", () => {
    expect(outLine("Usage: asc-key\n  register  ...\n")).toBe("Usage: asc-key\n  register  ...\n");
    expect(outLine("a\u001b[31mb\rc\n\u0085d")).toBe("a\\x1b[31mb\\rc\n\\u0085d");
  });

  it("stdout: a token, a URL and JSON come out exact", () => {
    const token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlXy0";
    expect(outLine(token)).toBe(token);
    const url = "https://appstoreconnect.apple.com/access/integrations/api";
    expect(outLine(url)).toBe(url);
    const value = { outcome: "server-error", message: 'HTTP 403 "a\u009b31m\u007f\u001b\ud800"' };
    const shown = outLine(JSON.stringify(value));
    expect(shown).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(shown)).toEqual(value);
  });
});
