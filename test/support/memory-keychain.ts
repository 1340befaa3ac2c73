/**
 * The Keychain in memory, for tests of the core that need no real keyring: a SecretBackend behind a real KeyStore
 * (createKeyStore), which records every call, can be told to fail, and refuses, as the macOS backend does, a write
 * whose `security -i` line would be too long. Tests against the real Secret Service use test/support/keyring.ts.
 *
 *   const { store, backend } = memoryStore("pipeline");
 *   backend.fail.set = locked;                       every write fails with this error until cleared
 *   backend.failOn = (call) => ...;                  or a chosen call fails
 *   backend.count.set, backend.calls, backend.items  what happened, and what is stored (`<service>\0<account>`)
 *   backend.runs()                                   how many tool runs the calls took: `getMany` reads its items in one
 *                                                    run (calls with the same `batch`), as `security -i` does on a Mac
 *   memoryBackend({ listing: true })                 also lists a service's items (`accounts`, op "list"), as the
 *                                                    macOS and Linux backends do, so the saved keys' index is checked
 *                                                    against the items as it is in use
 */
import type { AscKeyError } from "../../src/lib/errors";
import { addGenericPasswordLine, createKeyStore, type KeyStore, type SecretBackend } from "../../src/lib/keychain";

export interface BackendCall {
  op: "get" | "set" | "delete" | "list";
  service: string;
  account: string;
  /** The `getMany` run a read was part of (1, 2, ... in order); left out for a call of its own. */
  batch?: number;
}

export interface MemoryBackend extends SecretBackend {
  /** What is stored, by `<service>\u0000<account>`. */
  items: Map<string, string>;
  /** Every call, in order (a failed one too). */
  calls: BackendCall[];
  /** How many calls of each kind (a failed one too); tests may reset them. */
  count: Record<BackendCall["op"], number>;
  /** Every call of that kind fails with this error while it is set. */
  fail: Partial<Record<BackendCall["op"], AscKeyError>>;
  /** A call for which this returns an error fails with it. */
  failOn?: (call: BackendCall) => AscKeyError | undefined;
  /** The tool runs `calls` took (those of one `getMany` run count once); with `op`, of that kind only. */
  runs(op?: BackendCall["op"]): number;
}

export function memoryBackend(options: { listing?: boolean } = {}): MemoryBackend {
  const items = new Map<string, string>();
  const id = (service: string, account: string) => `${service}\u0000${account}`;
  let batches = 0;
  const enter = (op: BackendCall["op"], service: string, account: string, batch?: number) => {
    const call: BackendCall = batch === undefined ? { op, service, account } : { op, service, account, batch };
    backend.calls.push(call);
    backend.count[op] += 1;
    const failure = backend.fail[op] ?? backend.failOn?.(call);
    if (failure) throw failure;
  };
  const backend: MemoryBackend = {
    items,
    calls: [],
    count: { get: 0, set: 0, delete: 0, list: 0 },
    fail: {},
    async get(service, account) {
      enter("get", service, account);
      return items.get(id(service, account));
    },
    async getMany(wanted) {
      batches += 1;
      for (const item of wanted) enter("get", item.service, item.account, batches);
      return wanted.map((item) => items.get(id(item.service, item.account)));
    },
    runs(op) {
      const calls = backend.calls.filter((call) => op === undefined || call.op === op);
      const batched = new Set(calls.flatMap((call) => (call.batch === undefined ? [] : [call.batch])));
      return calls.filter((call) => call.batch === undefined).length + batched.size;
    },
    async set(service, account, label, secret) {
      enter("set", service, account);
      addGenericPasswordLine(service, account, label, secret); // throws keychain-too-long as on a Mac
      items.set(id(service, account), secret);
    },
    async delete(service, account) {
      enter("delete", service, account);
      return items.delete(id(service, account));
    },
  };
  if (options.listing) {
    backend.accounts = async (service) => {
      enter("list", service, "");
      const prefix = id(service, "");
      return [...items.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    };
  }
  return backend;
}

let counter = 0;

/** A KeyStore over a fresh in-memory backend, under a throwaway service `LingCode-test-<name>-<n>`. */
export function memoryStore(name: string): { store: KeyStore; backend: MemoryBackend } {
  counter += 1;
  const backend = memoryBackend();
  return { store: createKeyStore({ service: `LingCode-test-${name}-${counter}`, backend }), backend };
}
