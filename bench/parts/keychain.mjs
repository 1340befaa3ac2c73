// 2. Keychain read: the store's read() against a bare `secret-tool lookup` process.
import { spawn } from "node:child_process";
import { alternate, timingRow } from "./common.mjs";

const ROUNDS = 31;

/** `secret-tool lookup service <service> account <account>`, its output collected; rejects unless it exits 0. */
export function secretToolLookup(service, account) {
  return new Promise((resolve, reject) => {
    const child = spawn("secret-tool", ["lookup", "service", service, "account", account], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0) resolve(Buffer.concat(chunks).toString("utf8"));
      else reject(new Error(`secret-tool lookup exited with ${status}`));
    });
  });
}

export async function benchKeychain({ store, record }) {
  const read = await store.read();
  if (read?.keyId !== record.keyId) throw new Error("the bench entry does not read back");
  const samples = await alternate({
    ours: () => store.read(),
    floor: () => secretToolLookup(store.service, store.account),
    rounds: ROUNDS,
    warmup: 3,
  });
  return [
    timingRow({
      id: "2",
      name: "keychain: store.read()",
      floorName: "secret-tool lookup process",
      samples,
      maxRatio: 1.3,
    }),
  ];
}
