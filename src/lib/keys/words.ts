/**
 * Every sentence about a key's place, written once: saved, used by LingCode, kept saved beside the key LingCode uses,
 * switched, retired, and working at Apple until it is revoked. The Raycast views and toasts, the AI tools and asc-key
 * all say these through the functions below, so that a person reads the same words wherever they meet them.
 *
 * A key is named one way in a sentence: `"Acme" (Key ID 2X9R4HXF34)` (`namedKey`), with its team when that helps tell
 * keys apart (`keyWords`: `"Acme" (Issuer ID ends in ...4d1, Key ID 2X9R4HXF34)`); a key named just before in the same
 * sentence is then its name alone (`"Acme"`); a key without a name at hand is `Key 2X9R4HXF34`. Titles may stay short.
 * Both namers live in status.ts (the root's names.ts needs one too) and are offered here to the faces.
 */
import { keyWords, namedKey } from "../status";
import type { KeyKind } from "../record";
import type { RetiredListLine } from "../keychain/retired";

export { keyWords, namedKey };

type Named = { name: string };
type Described = { name: string; kind: KeyKind; keyId: string; issuerIdSuffix?: string };

/** A key named just before in the sentence: its name alone, `"Acme"`. */
function called(key: Named): string {
  return `"${key.name}"`;
}

/**
 * `"Acme" stays saved`: the key LingCode used before is still among the saved keys. Without a key at hand, the
 * general rule: `The key LingCode used before stays saved`.
 */
export function staysSaved(key?: Named): string {
  return `${key ? called(key) : "The key LingCode used before"} stays saved`;
}

/** `instead of "Acme", which stays saved`: LingCode will use another key, and the one it used is kept. */
export function insteadOf(key: Named): string {
  return `instead of ${called(key)}, which stays saved`;
}

/** `LingCode keeps using "Acme"`: a key was saved (or removed) beside the key LingCode uses, which does not change. */
export function keepsUsing(key: Named): string {
  return `LingCode keeps using ${called(key)}`;
}

/** `LingCode now uses "Acme" (Issuer ID ends in ...4d1, Key ID 2X9R4HXF34)`. */
export function nowUses(key: Described): string {
  return `LingCode now uses ${keyWords(key)}`;
}

/**
 * What a switch says, Raycast, AI tool and asc-key alike: `LingCode now uses "Acme" (…); "Globex" stays saved.`, or
 * `LingCode already uses "Acme" (…).` when nothing changed.
 */
export function switchedSentence(change: { changed: boolean; current: Described; previous?: Named }): string {
  if (!change.changed) return `LingCode already uses ${keyWords(change.current)}.`;
  return `${nowUses(change.current)}${change.previous ? `; ${staysSaved(change.previous)}` : ""}.`;
}

/**
 * A key saved that LingCode does not use: `Saved "Globex" (Issuer ID ends in ...4d1, Key ID GLX0000005); LingCode
 * keeps using "Acme".` (`inUse`: the key LingCode uses, if any).
 */
export function savedBesideSentence(saved: Described, inUse: Named | undefined): string {
  return `Saved ${keyWords(saved)}${inUse ? `; ${keepsUsing(inUse)}` : ""}.`;
}

/**
 * `"Acme" (Key ID 2X9R4HXF34) keeps working at Apple until you revoke it on Team Keys`: removing or replacing a key
 * here does not revoke it. `subject` is the key as the sentence names it (`namedKey`, `Key 2X9R4HXF34`, `It`).
 */
export function keepsWorkingAtApple(subject: string): string {
  return `${subject} keeps working at Apple until you revoke it on Team Keys`;
}

/** The step after a registration took a saved key's place: `Revoke "Acme" (Key ID 2X9R4HXF34) on Team Keys once nothing uses it.` */
export function revokeReplaced(key: { name: string; keyId: string }): string {
  return `Revoke ${namedKey(key)} on Team Keys once nothing uses it.`;
}

/** A retired (or revoked) key asked for by name or Key ID, where a saved key is needed. */
export function retiredSentence(line: RetiredListLine): string {
  return line.state === "retired"
    ? `${namedKey(line)} is retired: it is kept only to ask Apple whether it still works.`
    : `Key ${line.keyId} is revoked: Apple refused it twice, and only that record is kept.`;
}
