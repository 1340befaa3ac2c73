/**
 * asc-key --help, help <command>, and the usage errors (exit 2, one line), in this process (test/support/asc-key.ts);
 * the --ttl check before the Keychain runs as a child process whose PATH has no Keychain tool.
 */
import { describe, expect, it } from "vitest";
import { makeKey } from "../support/keys";
import { cli, cliProcess, COMMANDS, expectFailure, expectNoSecrets, nodeOnlyPath, tmp } from "../support/asc-key";

describe("help and usage", () => {
  it("prints the tool's help for --help, -h and help", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const run = await cli(args);
      expect(run.status, args.join(" ")).toBe(0);
      expect(run.stdout).toContain("Exit statuses:");
      expect(run.stdout).toContain("LINGCODE_KEYCHAIN_SERVICE");
      expect(run.stdout).toContain("LINGCODE_ASC_API_URL");
    }
  });

  it("prints each command's help for <command> --help, <command> -h and help <command>", async () => {
    for (const command of COMMANDS) {
      for (const args of [
        [command, "--help"],
        [command, "-h"],
        ["help", command],
      ]) {
        const run = await cli(args);
        expect(run.status, args.join(" ")).toBe(0);
        expect(run.stdout).toContain(`Usage: asc-key ${command}`);
        expect(run.stderr).toBe("");
      }
    }
  });

  it("the exit 7 line names every ci failure that exits 7: a repository it cannot see and any other failure too", async () => {
    const run = await cli(["--help"]);
    const seven = /^ {2}7 {2}ci: ([^]*?)\n {2}\d/m.exec(run.stdout)![1].replace(/\s+/g, " ");
    for (const words of [
      "not logged in",
      "no access",
      "no repository",
      "a name refused",
      "any other gh or glab failure",
      "only part set",
    ]) {
      expect(seven).toContain(words);
    }
    expect((await cli(["ci", "--help"])).stdout.replace(/\s+/g, " ")).toContain("it failed otherwise or was stopped");
  });

  it("exits 2 with one line for no command, unknown commands, unknown options and stray arguments", async () => {
    expectFailure(await cli([]), 2, /no command/);
    expectFailure(await cli(["frobnicate"]), 2, /Unknown command "frobnicate"/);
    expectFailure(await cli(["--frobnicate"]), 2, /Unknown option/);
    expectFailure(await cli(["help", "frobnicate"]), 2);
    expectFailure(await cli(["status", "--frobnicate"]), 2, /Unknown option --frobnicate for status/);
    expectFailure(await cli(["status", "extra"]), 2, /takes only options/);
    expectFailure(await cli(["status", "--json=yes"]), 2, /--json takes no value/);
    expectFailure(await cli(["token", "--ttl"]), 2, /--ttl needs a value/);
  });

  it("never repeats a key pasted where an option or argument belongs", async () => {
    const key = makeKey();
    for (const args of [["register", key.pem], ["register", "--p8", key.pem], [key.pem]]) {
      const run = await cli(args);
      expectFailure(run, 2);
      expectNoSecrets(run.stderr, key);
    }
  });

  it("checks --ttl before touching the Keychain", async () => {
    // A child process with no secret-tool on PATH: a Keychain access would exit 4.
    const env = { PATH: nodeOnlyPath(tmp) };
    expectFailure(await cliProcess(["token", "--ttl", "1201"], { env }), 2, /1200/);
    expectFailure(await cliProcess(["token", "--ttl", "60"], { env }), 2);
    expectFailure(await cliProcess(["token", "--ttl", "ten"], { env }), 2);
    expectFailure(await cliProcess(["token", "--ttl", "-5"], { env }), 2);
  });
});
