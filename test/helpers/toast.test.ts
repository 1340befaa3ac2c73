/**
 * showFailure (src/helpers/toast.ts): a failure that was a Keychain dialog gets a toast naming the dialog, with the
 * core's sentence saying what to do; any other failure keeps the action's title.
 */
import { describe, expect, it } from "vitest";
import { showFailure } from "../../src/helpers/toast";
import { refusedUpdate } from "../../src/lib/keychain/macos";
import { AscKeyError } from "../../src/lib/errors";
import { raycast } from "../raycast/harness";

describe("showFailure", () => {
  it("names the Keychain dialog that was denied, or that cannot be shown here", async () => {
    await showFailure(
      "Couldn't Switch Key",
      refusedUpdate("security: SecKeychainItemModifyContent: User canceled the operation.\n"),
    );
    expect(raycast.toast).toMatchObject({
      title: "Keychain Dialog Denied: Nothing Changed",
      message: expect.stringMatching(/^The Keychain dialog asking to change the saved item was denied or dismissed/),
    });
    await showFailure(
      "Couldn't Rename Key",
      refusedUpdate("security: SecKeychainItemModifyContent: User interaction is not allowed.\n"),
    );
    expect(raycast.toast?.title).toBe("Keychain Dialog Cannot Be Shown Here: Nothing Changed");
    await showFailure("Couldn't Rename Key", new AscKeyError("keychain-locked", "locked"));
    expect(raycast.toast?.title).toBe("Couldn't Rename Key");
  });
});
