/**
 * Add to CI Secrets… on a key in API Keys and in API Key Status: the form (vendor, repository, tools, GitHub's
 * environment), then one toast naming what was set, against the stand-ins of gh and glab first on PATH.
 */
import { describe, expect, it } from "vitest";
import ApiKeys from "../../src/api-keys";
import ApiKeyStatus from "../../src/api-key-status";
import { raycast, render } from "../raycast/harness";
import { sha256, type ReceivedValue } from "../support/ci-stand-ins";
import { CI_TOKEN, useCiStandIns } from "../support/ci-env";
import { HAS_KEYRING, testWorld } from "../support/world";

describe.skipIf(!HAS_KEYRING)("Add to CI Secrets…", () => {
  const world = testWorld("ci-form");
  const standIns = useCiStandIns();

  it("API Keys: GitHub with an environment, the chosen tools; one toast naming what was set", async () => {
    const key = world.key();
    await world.seed(key);
    standIns().world({ token: CI_TOKEN, repos: { "acme/app": "admin" }, environments: ["acme/app:production"] });
    const screen = await render(<ApiKeys />);
    await screen.waitFor(() => !screen.isLoading && screen.items().length > 0);
    await screen.runAction("Add to CI Secrets…");
    expect(screen.form.fieldIds()).toEqual(["vendor", "repository", "environment", "fastlane", "asc", "codemagic"]);
    await screen.form.setValue("repository", "acme/app");
    await screen.form.setValue("environment", "production");
    await screen.form.setValue("fastlane", false);
    await screen.runAction("Add to CI Secrets");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("SUCCESS"));
    expect(raycast.toasts).toHaveLength(1);
    expect(raycast.toast?.history[0].style).toBe("ANIMATED");
    expect(raycast.toast?.title).toBe("Set 3 GitHub Secrets");
    expect(raycast.toast?.message).toBe(
      "environment production of GitHub repository acme/app: ASC_KEY_ID, ASC_ISSUER_ID, ASC_PRIVATE_KEY_B64",
    );
    const [run] = standIns().runs();
    expect(run.argv).toEqual(["secret", "set", "-f", "-", "-R", "acme/app", "--env", "production"]);
    expect((run.received as Record<string, ReceivedValue>).ASC_PRIVATE_KEY_B64.decodedSha256).toBe(sha256(key.pem));
    await raycast.toast!.runPrimaryAction();
    expect(raycast.clipboard.at(-1)?.text).toContain("ASC_KEY_ID: ${{ secrets.ASC_KEY_ID }}");
    world.expectClean(standIns().runs());
  });

  it("API Key Status: GitLab, and a failure is one toast with the reason", async () => {
    await world.seed(world.key());
    standIns().world({ token: CI_TOKEN, projects: { "acme/ios/app": "developer" } });
    const screen = await render(<ApiKeyStatus />);
    await screen.waitFor(() => !screen.isLoading);
    await screen.runAction("Add to CI Secrets…");
    await screen.form.setValue("vendor", "gitlab");
    expect(screen.form.fieldIds()).not.toContain("environment");
    await screen.form.setValue("repository", "acme/ios/app");
    await screen.runAction("Add to CI Secrets");
    await screen.waitFor(() => expect(raycast.toast?.style).toBe("FAILURE"));
    expect(raycast.toast?.title).toBe("Couldn't Set CI Secrets");
    expect(raycast.toast?.message).toMatch(/needs the Maintainer role; nothing was set\.$/);
  });

  it("a repository the core refuses is shown on its field, and nothing runs", async () => {
    await world.seed(world.key());
    const screen = await render(<ApiKeyStatus />);
    await screen.waitFor(() => !screen.isLoading);
    await screen.runAction("Add to CI Secrets…");
    await screen.form.setValue("repository", "not a repository");
    await screen.runAction("Add to CI Secrets");
    expect(screen.form.field("repository").error).toBe("Takes owner/name.");
    expect(standIns().runs()).toHaveLength(0);
  });
});
