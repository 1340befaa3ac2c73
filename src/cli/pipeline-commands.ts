/** The commands that hand the key to other tools: the key LingCode uses, or with --key <name or Key ID> another saved key. */
import type { Command } from "./shared";
import { runExec } from "./exec";
import { runExport } from "./export";
import { runNotaryProfile } from "./notary-profile";
import type { PipelineCommandName } from "./pipeline-help";

export const PIPELINE_COMMANDS: Readonly<Record<PipelineCommandName, Command>> = {
  exec: runExec,
  export: runExport,
  "notary-profile": runNotaryProfile,
};
