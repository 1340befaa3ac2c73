/**
 * The import room: finding App Store Connect keys where other tools keep them (fastlane's API key JSON, the environment,
 * the private_keys folders, the newest AuthKey_*.p8 in Downloads) and classifying each against the saved keys. Every
 * face imports it from here.
 *
 *   find.ts       the sources and the candidates
 *   downloads.ts  the newest AuthKey_*.p8 in a Downloads folder
 */
export * from "./find";
export * from "./downloads";
