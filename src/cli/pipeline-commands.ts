/**
 * The commands that hand the key to other tools (exec, export, notary-profile), wired to the key they hand out: the
 * key LingCode uses, or with --key <name or Key ID> another saved key.
 */
import { requireRecord } from "../lib/pipeline";
import type { Command } from "./commands";
import { runExec } from "./exec";
import { runExport } from "./export";
import { runNotaryProfile } from "./notary-profile";
import type { PipelineCommandName } from "./pipeline-help";
import type { CliIo } from "./io";
import type { KeyResolver } from "./saved-key";
import { keyStoreFor } from "./settings";

/** The key; the store (service from LINGCODE_KEYCHAIN_SERVICE) is created only when a command needs it. */
const resolveKey =
  (io: CliIo): KeyResolver =>
  (reference) =>
    requireRecord(keyStoreFor(io.env), reference);

export const PIPELINE_COMMANDS: Readonly<Record<PipelineCommandName, Command>> = {
  exec: (args, io) => runExec(args, io, { resolveKey: resolveKey(io) }),
  export: (args, io) => runExport(args, io, { resolveKey: resolveKey(io) }),
  "notary-profile": (args, io) => runNotaryProfile(args, io, { resolveKey: resolveKey(io) }),
};
