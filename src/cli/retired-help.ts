/** `asc-key forget-retired`'s help: its line in the tool's help and its own page. */
import { TEAM_KEYS_URL } from "../lib/apple";

/** One line for the tool's help. */
export const FORGET_RETIRED_COMMAND_LINE =
  "  forget-retired  Delete an old key kept to prove it revoked, without that proof (asc-key forget-retired <Key ID> --yes)";

export const FORGET_RETIRED_HELP = `Usage: asc-key forget-retired <Key ID> --yes

A key a rotation took out of use is kept in the Keychain as a retired key, only to ask Apple whether it still
works, until Apple has refused it twice at least 10 minutes apart (by Apple's clock) while accepting the key
LingCode uses: then it is proven revoked and its material is deleted (asc-key status shows the retired keys,
asc-key verify --retired checks them now).

forget-retired deletes a retired key's material without that proof, for a key you cannot revoke (e.g. you are no
longer on its team). Nothing can tell afterwards whether it still works at Apple: revoke it at
${TEAM_KEYS_URL} if you can. For a key proven revoked, it removes the remaining sentence.

Options:
  --yes       Confirm (required: the retired key's material cannot be brought back)
  -h, --help  Show this help

Exits 2 for a Key ID that names no retired key (the retired keys are listed), or without --yes.`;
