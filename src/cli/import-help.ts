/** `asc-key import`'s help: its line in the tool's help and its own page. */

/** One line for the tool's help. */
export const IMPORT_COMMAND_LINE =
  "  import    Bring in a key from fastlane's JSON, Expo's eas.json, the environment or the private_keys folders";

export const IMPORT_HELP = `Usage: asc-key import --from fastlane-json <file> [options]
       asc-key import --from eas-json <file> [options]
       asc-key import --from env [options]
       asc-key import --from folders --issuer-id <id> [options]
       asc-key import --from <source> --list

Brings in a key that already lives elsewhere, through the same check with Apple and the same save as register
(the same name and "LingCode uses it" rules):
  fastlane-json  fastlane's API key JSON file, whatever its name: key_id, issuer_id (none: an individual key), the
                 key as key, key_content or key_filepath (relative to the JSON's folder), is_key_content_base64
  eas-json       Expo's eas.json: every submit profile's ios.ascApiKeyPath (relative to eas.json's folder),
                 ascApiKeyId and ascApiKeyIssuerId (none: an individual key), $VAR in them filled in from the
                 environment as eas-cli does; --list shows each key with its profiles
  env            the environment, in fastlane's (APP_STORE_CONNECT_API_KEY_*), the asc CLI's (ASC_KEY_ID,
                 ASC_ISSUER_ID, ASC_PRIVATE_KEY, ASC_PRIVATE_KEY_PATH, ASC_PRIVATE_KEY_B64), codemagic's
                 (APP_STORE_CONNECT_KEY_IDENTIFIER ...) and Expo's (EXPO_ASC_API_KEY_PATH, EXPO_ASC_KEY_ID,
                 EXPO_ASC_ISSUER_ID) names, and those asc-key exec sets
  folders        AuthKey_<Key ID>.p8 in ./private_keys, ~/private_keys, ~/.private_keys,
                 ~/.appstoreconnect/private_keys and $API_PRIVATE_KEYS_DIR; a .p8 holds no Issuer ID: give it

A key saved already (same Key ID and fingerprint) is left as it is: nothing to do. One with the Key ID of a
saved key but other key material replaces that key, as register does.

Options:
  --from <source>     fastlane-json <file>, eas-json <file>, env or folders
  --list              Only list what the source holds and each key's state (new, already saved, same Key ID
                      with other key material, or why it cannot be imported); nothing is saved; exits 2
                      when every key it holds is broken
  --key-id <id>       The key to import when the source holds several (eas.json profiles with different keys)
  --issuer-id <id>    The Issuer ID of the team of the .p8 files (--from folders)
  --name <name>       A name to know the key by (as register)
  --use               LingCode uses this key from now on
  --no-use            Only save it; LingCode keeps the key it uses
  --skip-verify       Save without checking with Apple (e.g. offline)
  -h, --help          Show this help

Exits 0 when the key is saved or was saved already, 1 when the source holds no key, 2 when what it holds cannot
be imported (the reason names the file or variable) or the usage is wrong, 3 if Apple rejects the key and 5 if
Apple cannot be reached (nothing is saved then), 4 on a Keychain failure. The key is never taken on the command
line, and no message quotes it. A fastlane JSON holds the key in clear: delete it once the key is imported; so
does a .p8 an eas.json names in the project: once it is imported, point the profile at $EXPO_ASC_API_KEY_PATH,
$EXPO_ASC_KEY_ID and $EXPO_ASC_ISSUER_ID and run eas submit under asc-key exec --only eas.`;
