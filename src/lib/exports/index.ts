/**
 * The exports room: the one table of how each tool takes a key (fastlane, the asc CLI, codemagic, a file), which
 * `asc-key exec` and `export` follow and the docs are written from.
 */
export * from "./table";
