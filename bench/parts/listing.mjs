// 8. API Keys with 1, 10 and 50 saved keys: how many Keychain reads a listing makes (the first paint reads none: it
// comes from Raycast's cache), and the time per key of a cold, full listing (index, LingCode's entry, every item).
import crypto from "node:crypto";
import { median } from "./common.mjs";

const COUNTS = [1, 10, 50];
const ROUNDS = 5;

function pem() {
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function keyId(n) {
  return `BENCH${String(n).padStart(5, "0")}`;
}

export async function benchListing({ core, service }) {
  const rows = [];
  const perKey = {};
  for (const count of COUNTS) {
    const store = core.createKeyStore({ service: `${service}-list-${count}` });
    for (let n = 0; n < count; n += 1) {
      const prepared = await core.prepareKey({ kind: "individual", keyId: keyId(n), p8Text: pem() });
      await core.registerKey(prepared, { store, verify: false, name: `Client ${n}`, use: n === 0 });
    }
    const quick = await core.listKeys(store, { entry: false });
    const full = await core.listKeys(store, { items: true });
    if (full.keys.length !== count) throw new Error(`listed ${full.keys.length} of ${count} keys`);
    const times = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const start = process.hrtime.bigint();
      await core.listKeys(store, { items: true });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    perKey[count] = median(times) / count;
    rows.push({
      id: `8-${count}`,
      name: `API Keys, ${count} saved: Keychain reads (index only / full listing); time per key`,
      kind: "count",
      unit: "reads",
      ours: { count: `${quick.reads} / ${full.reads}` },
      goal: "index reads hold no secret",
      met: quick.keys.every((key) => !("privateKey" in key)),
      note: `${median(times).toFixed(1)} ms in all, ${perKey[count].toFixed(2)} ms per key`,
    });
    for (const key of full.keys)
      if (key.state === "ok" || key.state === "damaged") await store.saved.deleteItem(key.keyId);
    await store.remove();
  }
  // Linear: the time per key with 50 keys is not more than twice that with 10.
  const linear = perKey[50] <= 2 * perKey[10];
  rows.push({
    id: "8",
    name: "API Keys: a cold full listing grows at most linearly",
    kind: "count",
    unit: "ms per key",
    ours: { count: `${perKey[10].toFixed(2)} → ${perKey[50].toFixed(2)}` },
    goal: "50 keys ≤ 2x per key of 10",
    met: linear,
  });
  return rows;
}
