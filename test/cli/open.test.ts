/**
 * asc-key open, in this process: the Team Keys URL printed, and handed to xdg-open only in a graphical session.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { TEAM_KEYS_URL } from "../../src/lib/apple";
import { cli, nodeOnlyPath, tmp } from "../support/asc-key";
import { spawned } from "../support/spawns";

// Every process asc-key starts is recorded (test/support/spawns.ts): "xdg-open was not started" is then a fact.
vi.mock("node:child_process", async (original) => (await import("../support/spawns")).recordingSpawns(original));

// On macOS `open` always works (it would start a browser), so the no-opener cases are Linux-only.
describe.skipIf(process.platform === "darwin")("open", () => {
  it("prints the Team Keys URL where nothing can open it (no xdg-open on PATH)", async () => {
    const run = await cli(["open"], { env: { PATH: nodeOnlyPath(tmp), DISPLAY: ":99" } });
    expect(run).toEqual({ status: 0, stdout: `${TEAM_KEYS_URL}\n`, stderr: "" });
  });

  it("hands the URL to xdg-open in a graphical session, and prints it", async () => {
    const bin = mkdtempSync(path.join(tmp, "xdg-"));
    const out = path.join(bin, "opened.txt");
    const opener = path.join(bin, "xdg-open");
    writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`);
    chmodSync(opener, 0o755);
    spawned.length = 0;
    const run = await cli(["open"], { env: { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ":99" } });
    expect(run).toEqual({ status: 0, stdout: `${TEAM_KEYS_URL}\n`, stderr: "" });
    expect(spawned.map((child) => child.spawnfile)).toEqual([opener]);
    for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(out, "utf8")).toBe(TEAM_KEYS_URL);
  });

  it("does not start xdg-open without a display", async () => {
    const bin = mkdtempSync(path.join(tmp, "xdg-"));
    const out = path.join(bin, "opened.txt");
    writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\ntouch "${out}"\n`, { mode: 0o755 });
    spawned.length = 0;
    const run = await cli(["open"], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${TEAM_KEYS_URL}\n`);
    // The command is over, and it started nothing (a start would have been recorded before it returned).
    expect(spawned.map((child) => child.spawnfile)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
