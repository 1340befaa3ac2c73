/**
 * The saved keys' one public surface: every face (the Raycast views and form, the AI tools, the asc-key CLI) imports
 * keys from here and nothing else of this folder.
 *
 *   read.ts      what is saved: LingCode's entry and the saved keys, listed, found by name or Key ID, read
 *   change.ts    save, use, rename, remove: each a plan from one read, applied holding the saved keys' lock
 *   register.ts  a registration: the key model, a plan from one read, Apple's check, then the plan applied
 *   use.ts       using a saved key: status, a check with Apple, what it can do, a token
 *   words.ts     every sentence about a key's place (saved, used, kept beside the key in use, switched,
 *                retired, working at Apple until revoked), and the one way a sentence names a key
 *   accepted.ts  whether Apple accepted a saved key before (its line's `acceptedAt`), and keeping that after a check:
 *                every face's one verify (verifyRememberingAcceptance)
 *
 * "Entry" means LingCode's Keychain item (service `LingCode`, account `asc-api-key`) and nothing else; a saved key's
 * row in the saved keys' index is a line.
 */
export {
  listKeys,
  findKey,
  listedKeyFor,
  noKeyError,
  isSavedAlready,
  namesOf,
  readSavedKey,
  type SavedKeysList,
  type ListedKey,
  type ListedOkKey,
  type SavedKeySummary,
} from "./read";
export {
  useSavedKey,
  renameSavedKey,
  planRemoval,
  removeKey,
  parseNext,
  type RemovalPlan,
  type Removal,
  type RemoveOptions,
} from "./change";
export {
  AppleCheckError,
  prepareKey,
  planRegistration,
  withChoices,
  applyRegistration,
  registerKey,
  type KeyInput,
  type PreparedKey,
  type Registration,
  type RegistrationChoices,
  type RegistrationPlan,
  type RegistrationStep,
} from "./register";
export {
  readStatus,
  readStatusWithRetired,
  readSavedKeyStatus,
  requireRecord,
  verifySavedKey,
  checkSavedKeyCapabilities,
  mintSavedToken,
  type CapabilityCheck,
  type LastSeenQuota,
  type StatusReport,
  type Verification,
  type VerifyOptions,
} from "./use";
export {
  listRetiredKeys,
  retireKey,
  checkRetiredKeys,
  forgetRetiredKey,
  stillWorkingNote,
  revocationSteps,
  stepAfterReplacing,
  type RetiredKeyView,
  type RevocationStep,
} from "./retired";
export { readRecordedRole, recordKeyRole, recordingWords } from "./roles";
export {
  namedKey,
  keyWords,
  staysSaved,
  insteadOf,
  keepsUsing,
  nowUses,
  switchedSentence,
  savedBesideSentence,
  keepsWorkingAtApple,
  revokeReplaced,
} from "./words";
export { verifyRememberingAcceptance } from "./accepted";
