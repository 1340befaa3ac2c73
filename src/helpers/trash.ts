import { trash } from "@raycast/api";
import { trashTargetsOf } from "../lib/trash";

/**
 * The extension's one trash step: key files (a .p8, fastlane's JSON) to the Trash through Raycast's `trash()`, a
 * symbolic link's file too, not only the link, so the key does not stay on disk. Throws, with nothing moved, when one
 * cannot be found or is not a file; the caller says what the user should do then.
 */
export async function moveKeyFilesToTrash(files: readonly string[]): Promise<void> {
  await trash(await trashTargetsOf(files));
}
