/**
 * The old address of the Apple client, kept only for test files another branch is rewriting
 * (test/cli/asc-key.test.ts). Everything lives in ./apple (the Apple room) and ./outcomes; delete this file once
 * nothing imports it.
 */
export { TEAM_KEYS_URL } from "./outcomes";
