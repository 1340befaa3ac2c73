import { Clipboard, showToast, Toast } from "@raycast/api";
import { addCiSecrets, CI_VENDOR, pathWith, TOOL_DIRS, type AddedCiSecrets, type CiTarget } from "../lib/ci";
import type { ExportGroup } from "../lib/exports";
import { keyStore } from "./core";
import { showFailure } from "./toast";

/**
 * The environment gh and glab get from the extension: Raycast's own, whose PATH is short, with the folders where
 * Homebrew and the official installers put them (gh also needs git from there to read a repository's remote).
 */
function toolEnvironment(): Record<string, string | undefined> {
  return { ...process.env, PATH: pathWith(process.env.PATH, TOOL_DIRS) };
}

/** Add to CI Secrets for a saved key (by Key ID): the one operation, with what the extension passes it. */
export function addToCiSecrets(
  keyId: string | undefined,
  target: CiTarget,
  groups: readonly ExportGroup[],
): Promise<AddedCiSecrets> {
  const env = toolEnvironment();
  return addCiSecrets({ store: keyStore(), key: keyId, target, groups, env, toolDirs: TOOL_DIRS });
}

/** One toast for the whole step: what was set and where, with the workflow's lines one action away. */
export async function addToCiSecretsWithToast(
  keyId: string,
  target: CiTarget,
  groups: readonly ExportGroup[],
): Promise<boolean> {
  const toast = await showToast({ style: Toast.Style.Animated, title: "Setting CI secrets…" });
  try {
    const added = await addToCiSecrets(keyId, target, groups);
    toast.style = Toast.Style.Success;
    toast.title = `Set ${added.set.length} ${CI_VENDOR[target.vendor].label} ${target.vendor === "github" ? "Secrets" : "Variables"}`;
    toast.message = `${added.where}: ${added.set.join(", ")}`;
    toast.primaryAction = {
      title: "Copy Workflow Lines",
      onAction: () => Clipboard.copy(added.workflow.join("\n")),
    };
    return true;
  } catch (error) {
    await showFailure("Couldn't Set CI Secrets", error, toast);
    return false;
  }
}
