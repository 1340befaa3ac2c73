/**
 * The add-ci-secrets AI tool against the stand-ins of gh and glab (first on PATH): its confirmation names the
 * repository and every name, and reads no secret; the tool sets the names as asc-key ci does and returns the
 * workflow's lines, or one line saying why nothing was set.
 */
import { describe, expect, it } from "vitest";
import { AscKeyError } from "../../src/lib/errors";
import * as addTool from "../../src/tools/add-ci-secrets";
import { sha256, type ReceivedValue } from "../support/ci-stand-ins";
import { CI_TOKEN, useCiStandIns } from "../support/ci-env";
import type { MemoryBackend } from "../support/memory-keychain";
import { HAS_KEYRING, testWorld } from "../support/world";

const FASTLANE = [
  "APP_STORE_CONNECT_API_KEY_KEY_ID",
  "APP_STORE_CONNECT_API_KEY_ISSUER_ID",
  "APP_STORE_CONNECT_API_KEY_KEY",
  "APP_STORE_CONNECT_API_KEY_IS_KEY_CONTENT_BASE64",
];

describe.skipIf(!HAS_KEYRING)("add-ci-secrets", () => {
  const world = testWorld("tools-ci");
  const standIns = useCiStandIns();

  it("asks first, naming the repository and every name; asking runs nothing", async () => {
    const key = world.key();
    await world.seed(key);
    const shown = await addTool.confirmation({ repository: "acme/app", vendor: "github", tools: "fastlane" });
    expect(shown?.message).toMatch(/^Set 4 GitHub Actions secrets for ".*" in GitHub repository acme\/app\?$/);
    expect(shown?.info).toContainEqual({ name: "Names", value: FASTLANE.join(", ") });
    expect(shown?.info).toContainEqual({ name: "Where", value: "GitHub repository acme/app" });
    expect(standIns().runs()).toHaveLength(0);
    world.expectClean(shown);
  });

  it("sets the names through gh, the key only on stdin, and returns the workflow's env lines", async () => {
    const key = world.key();
    await world.seed(key);
    standIns().world({ token: CI_TOKEN, repos: { "acme/app": "admin" } });
    const answer = await addTool.default({ repository: "acme/app", vendor: "github", tools: "fastlane" });
    expect(answer).toMatchObject({ set: true, names: FASTLANE, where: "GitHub repository acme/app", keyId: key.keyId });
    expect((answer as { workflow: string }).workflow).toContain("${{ secrets.APP_STORE_CONNECT_API_KEY_KEY }}");
    const received = standIns().runs()[0].received as Record<string, ReceivedValue>;
    expect(received.APP_STORE_CONNECT_API_KEY_KEY.decodedSha256).toBe(sha256(key.pem));
    expect(JSON.stringify(standIns().runs()[0].argv)).not.toContain("PRIVATE KEY");
    world.expectClean(answer);
    world.expectClean(standIns().runs());
  });

  it("says in one line why nothing was set: glab not logged in", async () => {
    await world.seed(world.key());
    standIns().world({ token: "another", projects: { "acme/ios/app": "maintainer" } });
    const answer = await addTool.default({ repository: "acme/ios/app", vendor: "gitlab", tools: "asc" });
    expect(answer).toEqual({
      set: false,
      reason: expect.stringMatching(/run glab auth login \(or set GITLAB_TOKEN\), then try again; nothing was set\.$/),
    });
  });

  it("a vendor it does not know: no confirmation, and the reason", async () => {
    await world.seed(world.key());
    expect(await addTool.confirmation({ repository: "acme/app", vendor: "bitbucket" })).toBeUndefined();
    expect(await addTool.default({ repository: "acme/app", vendor: "bitbucket" })).toEqual({
      set: false,
      reason: 'The vendor is "github" or "gitlab".',
    });
  });

  it("a key listing that fails (a locked Keychain) is no refusal: the confirmation throws, never skips the asking", async () => {
    await world.seed(world.key());
    const backend = world.backend() as MemoryBackend;
    backend.fail.get = new AscKeyError("keychain-locked", "The keychain is locked.");
    await expect(addTool.confirmation({ repository: "acme/app", vendor: "github" })).rejects.toMatchObject({
      code: "keychain-locked",
    });
    backend.fail.get = undefined;
    expect(standIns().runs()).toHaveLength(0);
  });

  it("a name that means no saved key: no confirmation, and the tool says why", async () => {
    await world.seed(world.key());
    expect(await addTool.confirmation({ repository: "acme/app", vendor: "github", key: "Nope" })).toBeUndefined();
    expect(await addTool.default({ repository: "acme/app", vendor: "github", key: "Nope" })).toEqual({
      set: false,
      reason: expect.stringMatching(/^No saved key is named "Nope"/),
    });
  });
});
