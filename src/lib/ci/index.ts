/**
 * CI secrets: the key a person keeps in the Keychain, set as GitHub Actions secrets or GitLab CI/CD variables through
 * the vendor's own command line (gh, glab), with the key on the child's stdin only: never on an argv, in a file or in
 * an environment variable. The names and values come from the exports table (src/lib/exports/, each row's `ci`):
 * the key as one line of base64 wherever the tool reads base64, with the variable that says so.
 *
 * Offers: planning (the names for a key, the secrets with their values, the target checked, the workflow lines),
 * finding and running gh or glab, and setting the secrets with every failure as one line a person can act on. Plain
 * Node: the caller passes PATH and the environment, and this room reads neither.
 */
export {
  CI_GROUPS,
  CI_VENDOR,
  CI_VENDORS,
  ciNames,
  gitlabCanMask,
  GITHUB_VISIBILITIES,
  isCiVendor,
  leftOutWords,
  parseCiGroups,
  parseCiTarget,
  planCiSecrets,
  whereWords,
  workflowLines,
  type CiNames,
  type CiSecret,
  type CiTarget,
  type CiVendor,
  type GithubVisibility,
} from "./plan";
export { findTool, pathWith, runTool, TOOL_DIRS, type ToolCall, type ToolRun, type ToolRunner } from "./run";
export {
  dotenvDocument,
  ghArgs,
  glabArgs,
  setCiSecrets,
  toolMissing,
  type CiSetOptions,
  type CiSetResult,
} from "./set";
export { addCiSecrets, type AddCiSecretsRequest, type AddedCiSecrets } from "./add";
