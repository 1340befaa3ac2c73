/**
 * The commands that hand the key to other tools (exec, export, notary-profile), wired to the key they hand out: the
 * one saved key today. The several-keys feature swaps `resolveKey` here for one that honours --key.
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

/** The saved key; the store (service from LINGCODE_KEYCHAIN_SERVICE) is created only when a command needs it. */
const resolveKey =
  (io: CliIo): KeyResolver =>
  () =>
    requireRecord(keyStoreFor(io.env));

export const PIPELINE_COMMANDS: Readonly<Record<PipelineCommandName, Command>> = {
  exec: (args, io) => runExec(args, io, { resolveKey: resolveKey(io) }),
  export: (args, io) => runExport(args, io, { resolveKey: resolveKey(io) }),
  "notary-profile": (args, io) => runNotaryProfile(args, io, { resolveKey: resolveKey(io) }),
};
