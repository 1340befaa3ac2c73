/**
 * Add to CI Secrets, the one operation every face calls (asc-key ci, the Raycast form, the AI tool): find the tool,
 * read the key, plan its secrets and set them. The tool is looked for first, so a missing gh or glab reads no key.
 */
import type { ExportGroup } from "../exports";
import type { KeyStore } from "../keychain";
import { requireRecord } from "../keys";
import { CI_VENDOR, ciNames, planCiSecrets, whereWords, workflowLines, type CiNames, type CiTarget } from "./plan";
import { findTool, runTool, type ToolRunner } from "./run";
import { setCiSecrets, toolMissing, type CiSetResult } from "./set";

export interface AddCiSecretsRequest {
  store: KeyStore;
  /** A saved key's name or Key ID; left out, the key LingCode uses. */
  key?: string;
  target: CiTarget;
  groups: readonly ExportGroup[];
  /** The caller's environment, handed to the tool as it is (GH_TOKEN, GH_HOST, GITLAB_TOKEN ...); PATH is searched. */
  env: Readonly<Record<string, string | undefined>>;
  /** Folders searched after PATH (the extension's: where Homebrew and the installers put gh and glab). */
  toolDirs?: readonly string[];
  cwd?: string;
  run?: ToolRunner;
}

export interface AddedCiSecrets extends CiSetResult {
  keyId: string;
  names: CiNames;
  /** Where, in words. */
  where: string;
  /** What a workflow needs to read them (workflowLines). */
  workflow: string[];
}

export async function addCiSecrets(request: AddCiSecretsRequest): Promise<AddedCiSecrets> {
  const { target } = request;
  const tool = findTool(CI_VENDOR[target.vendor].tool, request.env.PATH, request.toolDirs);
  if (tool === undefined) throw toolMissing(target.vendor);
  const record = await requireRecord(request.store, request.key);
  const names = ciNames(record.kind, request.groups);
  const result = await setCiSecrets({
    target,
    secrets: planCiSecrets(record, request.groups),
    tool,
    env: request.env,
    cwd: request.cwd,
    run: request.run ?? runTool,
  });
  return {
    ...result,
    keyId: record.keyId,
    names,
    where: whereWords(target),
    workflow: workflowLines(target, names, request.groups),
  };
}
