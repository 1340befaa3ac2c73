/** env-string (what eas-cli expands `$VAR` in eas.json with) ships no types: its one function. */
declare module "env-string" {
  /** `$NAME`, `${NAME}` and `${NAME:-default}` in `text` filled in from `env` (unset: empty); `\$` keeps a `$`. */
  export default function envString(text: string, env?: Readonly<Record<string, string | undefined>>): string;
}
