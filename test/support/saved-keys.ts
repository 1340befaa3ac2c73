/**
 * Tests that share one Keychain service across a file start each test from nothing: LingCode's entry and every saved
 * key the list of saved keys names (their items, then the list itself) and every retired key are removed.
 */
import type { KeyStore } from "../../src/lib/keychain";

export async function clearKeys(store: KeyStore): Promise<void> {
  const index = await store.saved.readIndex();
  const keyIds = [...new Set(index.pages.flatMap((page) => page.lines.map((line) => line.keyId)))];
  for (const keyId of keyIds) {
    await store.saved.deleteItem(keyId);
    await store.saved.dropLine(index, keyId);
  }
  // The retired keys too (their items, then their list).
  const retired = await store.retired.readList();
  for (const line of retired) await store.retired.deleteItem(line.keyId);
  await store.retired.writeList([]);
  await store.remove();
}
