/**
 * A rejected key explained, in the words every face shows: after Apple's 401 the Apple room asks again (see
 * apple/explain.ts); this turns what it found into one message. Pure, no I/O.
 */
import type { RejectionExplained } from "./explain";

/**
 * The message for a rejection as explained: the second answer's sentence when a second ask was accepted (Apple's bad
 * moment, or an individual key registered with an Issuer ID), else the rejection, whether it was asked again, and
 * what Apple's 401 can mean, most likely first, numbered.
 */
export function rejectionText(
  keyId: string,
  explained: Pick<RejectionExplained, "message" | "causes" | "retry" | "asIndividual">,
): string {
  if (explained.causes.length === 0) return explained.message;
  const again = [
    explained.retry ? "again after a pause" : undefined,
    explained.asIndividual ? "as an individual key (no Issuer ID)" : undefined,
  ].filter((asked) => asked !== undefined);
  const asked = again.length > 0 ? `, asked ${again.join(" and ")} too` : "";
  const causes = explained.causes.map((cause, index) => `(${index + 1}) ${cause.text}`).join(" ");
  return `Apple rejected key ${keyId} (HTTP 401${asked}). What that can mean, most likely first: ${causes}`;
}
