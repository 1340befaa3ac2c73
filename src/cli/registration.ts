/**
 * The end of a registration on the command line, shared by `register` and `import`: check with Apple (unless
 * skipped) and save through the pipeline, then the answer on stdout and everything else on stderr. Apple refusing or
 * being out of reach saves nothing and gives exit 3 or 5.
 */
import { TEAM_KEYS_URL } from "../lib/apple";
import {
  AppleCheckError,
  applyRegistration,
  namedKey,
  registerKey,
  savedBesideSentence,
  staysSaved,
  type PreparedKey,
  type Registration,
  type RegistrationChoices,
  type RegistrationPlan,
  stepAfterReplacing,
} from "../lib/keys";
import { printable } from "../lib/text";
import { CLI_SWITCH_HINT } from "./capabilities";
import { EXIT, type ExitStatus } from "./exit-status";
import type { CliIo } from "./io";
import { shellWord } from "./keys";
import { appleOptionsFor, keyStoreFor } from "./settings";
import { withoutFinalStop } from "./shared";

const INDIVIDUAL_COMMAND = "asc-key register --individual --key-id <id> --p8 <file> (no --issuer-id)";

/**
 * Registers the prepared key with these choices and reports it: EXIT.ok once it is saved. `plan`: the caller's plan for
 * this very key and choices, made just before with nothing in between (`import`), applied without reading again.
 * `asIndividual` is the command that registers it as an individual key, told when Apple rejects it as a team key but
 * accepts it as an individual one.
 */
export async function registerAndReport(
  prepared: PreparedKey,
  choices: RegistrationChoices,
  skipVerify: boolean,
  io: CliIo,
  plan?: RegistrationPlan,
  asIndividual?: string,
): Promise<ExitStatus> {
  let registration: Registration;
  try {
    const options = {
      store: keyStoreFor(io.env),
      check: appleOptionsFor(io.env),
      verify: !skipVerify,
      privilege: { switchHint: CLI_SWITCH_HINT },
      ...choices,
    };
    registration = plan
      ? await applyRegistration(plan, { ...options, recheck: false })
      : await registerKey(prepared, options);
  } catch (error) {
    if (error instanceof AppleCheckError) {
      const hint = error.code === "apple-unavailable" ? "; --skip-verify saves it without checking" : "";
      // Apple accepted it as an individual key: the one command that saves it as one, on the same line.
      const individual = error.explained?.individualAccepted
        ? ` Save it as an individual key: ${asIndividual ?? INDIVIDUAL_COMMAND}`
        : "";
      io.err(printable(`${withoutFinalStop(error.message)}. Nothing was saved${hint}.${individual}`));
      return error.code === "apple-rejected" ? EXIT.rejected : EXIT.unavailable;
    }
    throw error;
  }
  reportRegistration(registration, skipVerify, io);
  return EXIT.ok;
}

/** The answer on stdout (the sentence and fingerprint), everything else worth saying on stderr. */
function reportRegistration(registration: Registration, skipVerify: boolean, io: CliIo) {
  io.out(registration.active ? registration.sentence : savedNotUsedWords(registration));
  io.out(`Fingerprint: ${registration.fingerprint}`);
  for (const warning of registration.warnings) io.err(`warning: ${warning}`);
  if (registration.check && registration.check.outcome !== "valid") io.err(`warning: ${registration.check.message}`);
  // The privilege probe (Users and Access): one more request, never a refusal; an unknown answer says nothing.
  // A team key with no role recorded gets a note (the one step that settles it), a recorded App Manager key nothing.
  const { privilege } = registration;
  if (privilege) io.err(`${privilege.level === "note" ? "note" : "warning"}: ${privilege.text}`);
  if (skipVerify) io.err("saved without checking with Apple; run asc-key verify to check it.");
  if (registration.switchedFrom) {
    const back = shellWord(registration.switchedFrom.keyId);
    io.err(
      `LingCode now uses this key, saved as "${registration.name}"; ${staysSaved(registration.switchedFrom)} (asc-key use ${back} switches back).`,
    );
  }
  if (registration.inUse) io.err(`asc-key use ${shellWord(registration.summary.keyId)} makes LingCode use it.`);
  if (registration.replaced) {
    const { keyId, fingerprint } = registration.replaced;
    io.err(`replaced the saved key ${namedKey(registration.replaced)}, fingerprint ${fingerprint}.`);
    // The rotation ends with its step, said with the answer, then what proves it done; then where it is done.
    const { step, proof } = stepAfterReplacing(keyId);
    io.out(step);
    io.out(proof);
    io.err(`Team Keys: ${TEAM_KEYS_URL} (asc-key open opens it; asc-key verify --retired asks Apple).`);
  }
}

/** What stdout says about a key that is saved but not used by LingCode. */
function savedNotUsedWords(registration: Registration): string {
  return savedBesideSentence({ ...registration.summary, name: registration.name }, registration.inUse);
}
