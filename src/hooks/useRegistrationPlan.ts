import { usePromise } from "@raycast/utils";
import { keyStore } from "../helpers/core";
import { formKeyInput } from "../helpers/register";
import { planRegistration, prepareKey, type KeyInput, type RegistrationPlan } from "../lib/keys";

/** A plan and the very input it was made for (the form uses it only while its fields still say the same). */
interface FormPlan {
  input: KeyInput;
  rotates?: string;
  plan: RegistrationPlan;
  /** When its read was made (Date.now()). */
  madeAt: number;
}

async function plan(
  kind: KeyInput["kind"],
  issuerId: string,
  keyId: string,
  p8Path: string,
  rotates: string,
): Promise<FormPlan> {
  const input: KeyInput = { kind, issuerId: kind === "team" ? issuerId : undefined, keyId, p8Path };
  // A fastlane API key JSON in the file field gives the key's text, read here and not kept.
  const prepared = await prepareKey(await formKeyInput(input));
  const choices = rotates ? { rotates } : {};
  const planned = await planRegistration(prepared, keyStore(), choices);
  return { input, rotates: rotates || undefined, plan: planned, madeAt: Date.now() };
}

/**
 * The registration's plan, made once the form's three values are valid (one read of the saved keys and of LingCode's
 * entry): what "Use for LingCode" says by default and the name a key gets when none is given come from it, and the
 * submit applies it. `input` undefined: not all valid yet, nothing is read. A plan that cannot be made shows nothing
 * here; the submit gives the reason.
 */
export function useRegistrationPlan(input: KeyInput | undefined, rotates: string | undefined) {
  return usePromise(
    plan,
    [input?.kind ?? "team", input?.issuerId ?? "", input?.keyId ?? "", input?.p8Path ?? "", rotates ?? ""],
    { execute: input !== undefined, onError: () => undefined },
  );
}

/** The plan and when it was made, when it was made for exactly this input. */
export function planFor(
  planned: FormPlan | undefined,
  input: KeyInput,
  rotates: string | undefined,
): { plan?: RegistrationPlan; planMadeAt?: number } {
  if (!planned || planned.rotates !== rotates) return {};
  const a = planned.input;
  const same =
    a.kind === input.kind && a.issuerId === input.issuerId && a.keyId === input.keyId && a.p8Path === input.p8Path;
  return same ? { plan: planned.plan, planMadeAt: planned.madeAt } : {};
}
