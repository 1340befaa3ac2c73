/**
 * asc-key and the retired keys (docs/revocation.md): the lines `status` adds, `verify --retired`, and
 * `forget-retired`. A retired key is never used for anything but its one check with Apple.
 */
import { type CheckResult, OUTCOME, TEAM_KEYS_URL } from "../lib/apple";
import { checkRetiredKeys, forgetRetiredKey, revocationSteps, type RetiredKeyView } from "../lib/keys";
import { parseCommandWithArgs } from "./args";
import { EXIT, UsageError, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { appleOptionsFor, keyStoreFor } from "./settings";
import { showHelp, verifyRemembering } from "./shared";

/** `retired` in `status --json` and `verify --retired --json`: nothing secret. */
export function retiredJson(keys: readonly RetiredKeyView[]): Record<string, unknown>[] {
  return keys.map((key) => {
    const json: Record<string, unknown> = { keyId: key.keyId, state: key.state.state, sentence: key.sentence };
    if (key.state.state === "still-works") json.checkedAt = key.state.checkedAt;
    else if (key.state.refusedAt.length > 0) json.refusedAt = key.state.refusedAt;
    if (key.note) json.note = key.note;
    return json;
  });
}

/**
 * The lines `status` prints after its sentence, one per retired key (its note indented below it), each after the step
 * that ends its rotation ("Revoke key … on Team Keys.") while Apple has not refused it.
 */
export function retiredLines(keys: readonly RetiredKeyView[]): string[] {
  const steps = revocationSteps(keys);
  return keys.flatMap((key) => [
    ...steps.filter((step) => step.keyId === key.keyId).map((step) => step.step),
    `Retired: ${key.sentence}`,
    ...(key.note ? [`  ${key.note}`] : []),
  ]);
}

/**
 * `verify --retired`: the key LingCode uses, then every retired key not yet proven (one request each). Exits as
 * verify does when the key LingCode uses is not accepted; else 3 (rejected) while a retired key still works, so a
 * script can wait on it; else 0.
 */
export async function verifyRetired(json: boolean, io: CliIo): Promise<ExitStatus> {
  const store = keyStoreFor(io.env);
  const options = appleOptionsFor(io.env);
  const { check } = await verifyRemembering(store, options, io);
  const retired = await checkRetiredKeys(store, check, options);
  const facts = OUTCOME[check.outcome];
  const working = retired.some((key) => key.state.state === "still-works");
  if (json) {
    io.out(JSON.stringify({ ...currentJson(check), retired: retiredJson(retired) }));
  } else {
    (facts.exit === "ok" ? io.out : io.err)(check.message);
    if (retired.length === 0) io.out("No retired keys: no rotation is waiting for its old key to be revoked.");
    for (const line of retiredLines(retired)) io.out(line);
  }
  if (facts.cliWarning) io.err(`warning: ${facts.cliWarning}`);
  if (facts.exit !== "ok") return EXIT[facts.exit];
  return working ? EXIT.rejected : EXIT.ok;
}

function currentJson(check: CheckResult): Record<string, unknown> {
  const json: Record<string, unknown> = { outcome: check.outcome, message: check.message };
  if (check.rateLimitRemaining !== undefined) json.rateLimitRemaining = check.rateLimitRemaining;
  if (check.clockOffsetSeconds !== undefined) json.clockOffsetSeconds = check.clockOffsetSeconds;
  return json;
}

export async function runForgetRetired(args: string[], io: CliIo): Promise<ExitStatus> {
  const { values, positionals } = parseCommandWithArgs("forget-retired", args, { yes: { type: "boolean" } }, [
    "Key ID",
  ]);
  if (values.help) return showHelp("forget-retired", io);
  const keyId = positionals[0];
  if (!values.yes) {
    throw new UsageError(
      "forget-retired deletes the retired key's material, and nothing can tell afterwards whether it still works at Apple; add --yes to confirm.",
    );
  }
  const forgotten = await forgetRetiredKey(keyStoreFor(io.env), keyId);
  io.out(
    forgotten.state.state === "revoked"
      ? `Dismissed: ${forgotten.sentence}`
      : `Forgot retired key ${forgotten.keyId} without proof that it is revoked; revoke it at ${TEAM_KEYS_URL} if you can.`,
  );
  return EXIT.ok;
}
