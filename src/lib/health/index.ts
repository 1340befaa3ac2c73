/**
 * The health room: the lines of `asc-key doctor` and API Key Status' health section, each pass, warn or fail.
 */
export * from "./lines";
