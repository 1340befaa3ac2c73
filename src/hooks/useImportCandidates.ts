import { usePromise } from "@raycast/utils";
import os from "node:os";
import path from "node:path";
import { keyStore } from "../helpers/core";
import {
  classifyCandidates,
  findInEnvironment,
  findInFolders,
  findInPickedJson,
  type ImportCandidate,
  type ImportContext,
} from "../lib/import";
import { listKeys } from "../lib/keys";

interface ImportSection {
  title: string;
  /** The file a picked source is (a fastlane JSON or an eas.json), so the view can forget it once it is trashed. */
  file?: string;
  candidates: ImportCandidate[];
}

/**
 * What every source holds, each key with its state: Raycast's own environment, the private_keys folders, and each
 * fastlane JSON or eas.json the user picked (an eas.json: each submit profile's key). The saved keys are listed once (their fingerprints, no saved item is read). Kept in
 * memory only (usePromise, never Raycast's Cache): a candidate carries the key to import.
 */
async function loadSections(files: readonly string[]): Promise<ImportSection[]> {
  const home = os.homedir();
  // Raycast's working folder means nothing to the user: ./private_keys is taken from the home folder.
  const context: ImportContext = { env: process.env, home, cwd: home };
  const sources: Array<{ title: string; file?: string; found: Awaited<ReturnType<typeof findInEnvironment>> }> = [
    { title: "Environment", found: await findInEnvironment(context) },
    { title: "private_keys Folders", found: await findInFolders(context) },
  ];
  for (const file of files) {
    sources.push({ title: path.basename(file), file, found: await findInPickedJson(file, context) });
  }
  const saved = sources.some((source) => source.found.some((item) => item.ok)) ? (await listKeys(keyStore())).keys : [];
  return sources
    .filter((source) => source.found.length > 0)
    .map((source) => ({ title: source.title, file: source.file, candidates: classifyCandidates(source.found, saved) }));
}

export function useImportCandidates(files: readonly string[]) {
  // The view shows a failure (a locked Keychain, say) itself, with Retry.
  return usePromise(loadSections, [files], { onError: () => undefined });
}
