/**
 * The commands that hand the key to other tools (exec, export, notary-profile), wired to the key they hand out: the
 * one saved key today. The several-keys feature swaps `resolveKey` here for one that honours --key.
 */
import { createKeyStore } from "../lib/keychain";
import type { Command } from "./commands";
import { runExec } from "./exec";
import { runExport } from "./export";
import { runNotaryProfile } from "./notary-profile";
import type { PipelineCommandName } from "./pipeline-help";
import { savedKey } from "./saved-key";

/** The saved key; the store (service from LINGCODE_KEYCHAIN_SERVICE) is created only when a command needs it. */
const resolveKey = savedKey(() => createKeyStore());

export const PIPELINE_COMMANDS: Readonly<Record<PipelineCommandName, Command>> = {
  exec: (args, io) => runExec(args, io, { resolveKey }),
  export: (args, io) => runExport(args, io, { resolveKey }),
  "notary-profile": (args, io) => runNotaryProfile(args, io, { resolveKey }),
};
