/**
 * The old address of the capability check, kept only for test files another branch is rewriting
 * (test/cli/asc-key.test.ts, test/support/apple-stand-in.ts). Everything lives in ./apple (the Apple room); delete
 * this file once nothing imports it.
 */
export { privilegeWarning, type ConclusionId } from "./apple/conclusions";
