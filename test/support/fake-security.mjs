#!/usr/bin/env node
// A stand-in for macOS /usr/bin/security, behaving as docs/keychain-tools.md describes the real tool
// (Security-61901 SecurityTool: security.c split_line/readline, keychain_add/find/delete).
//
// Environment:
//   FAKE_SECURITY_LOG    file to append one JSON line per run: { argv, stdin }
//   FAKE_SECURITY_STORE  JSON file holding the items: { items: [{ keychain, service, account, label, data(hex) }] }
//   FAKE_SECURITY_FAULT  JSON, one fault or an array of them, each for `command` (a command name or "*"):
//                          { command, status }  the command changes nothing and fails with that exit status
//                          { command, hang: true }  the tool never ends
//                          { command, truncate: n }  add stores only the first n bytes of the secret, exit 0
//                          { command: "add-generic-password", updateFails: true }  -U cannot update in place,
//                                                falls through to create and reports 45 (duplicate)
import fs from "node:fs";
import path from "node:path";

const LOG = process.env.FAKE_SECURITY_LOG;
const STORE = process.env.FAKE_SECURITY_STORE;
const FAULTS = parseFaults(process.env.FAKE_SECURITY_FAULT);
const DEFAULT_KEYCHAIN = "login.keychain-db";
const MAX_LINE_LEN = 4096;
const MAX_ARGS = 32;

// OSStatus for each exit status the tests force (exit status = low byte of the OSStatus).
const OSSTATUS = { 44: -25300, 45: -25299, 36: -25308, 51: -25293, 128: -128, 50: -25294 };
const NOT_FOUND = -25300;
const DUPLICATE = -25299;
const NO_SUCH_KEYCHAIN = -25294;

const stdin = readStdin();
if (LOG) fs.appendFileSync(LOG, JSON.stringify({ argv: process.argv.slice(2), stdin }) + "\n");

function main(argv) {
  let interactive = false;
  let verbose = false;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith("-") && argv[i] !== "-"; i++) {
    for (const flag of argv[i].slice(1)) {
      if (flag === "i") interactive = true;
      else if (flag === "v") verbose = true;
      else if (flag !== "q") return exit(2, `usage: security [-i] [-q] [-v] [command] [opt ...]`);
    }
  }
  const rest = argv.slice(i);
  if (rest.length > 0) {
    const result = execute(rest, verbose);
    return exit(result & 0xff);
  }
  if (!interactive) return exit(2, "usage: security [-i] [-q] [-v] [command] [opt ...]");

  // Interactive: readline() into a 4096-byte buffer, split_line(), run; stop at EOF (a last line with no
  // "\n" is read up to EOF and then thrown away, as readline returns NULL).
  let result = 0;
  let pos = 0;
  const input = Buffer.from(stdin, "latin1");
  for (;;) {
    const line = [];
    let eof = false;
    for (let ix = 0; ; ix++) {
      if (ix === MAX_LINE_LEN - 1) break; // buffer full: the rest of the line is the next "line"
      if (pos >= input.length) {
        eof = true;
        break;
      }
      const ch = input[pos++];
      if (ch === 0x0a) break;
      line.push(ch);
    }
    if (eof) break;
    const args = splitLine(Buffer.from(line).toString("latin1"));
    result = execute(args, verbose);
    if (result !== 0) process.stderr.write(`${args[0]}: returned ${result}\n`);
  }
  exit(result & 0xff);
}

function execute(args, verbose) {
  if (args.length === 0) return 0;
  const name = COMMANDS.find((command) => command.startsWith(args[0]));
  if (!name) {
    process.stderr.write(`security: unknown command "${args[0]}"\n`);
    return 1;
  }
  if (verbose)
    process.stderr.write(
      `${name}${args
        .slice(1)
        .map((a) => ` "${a}"`)
        .join("")}\n`,
    );
  const fault = FAULTS.find((f) => f.command === name || f.command === "*");
  if (fault?.hang) hang();
  const handler = HANDLERS[name];
  if (!handler) return usage(name);
  try {
    return handler(args.slice(1), fault);
  } catch (error) {
    if (error.usage) return usage(name);
    throw error;
  }
}

const COMMANDS = [
  "help",
  "list-keychains",
  "default-keychain",
  "login-keychain",
  "create-keychain",
  "delete-keychain",
  "lock-keychain",
  "unlock-keychain",
  "add-generic-password",
  "add-internet-password",
  "find-generic-password",
  "find-internet-password",
  "delete-generic-password",
  "dump-keychain",
];

const HANDLERS = {
  "add-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:p:w:X:AT:U");
    if (!opts.s || !opts.a) return usage("add-generic-password");
    const keychain = keychainOf(rest);
    if (keychain === undefined) return perror("SecKeychainOpen", NO_SUCH_KEYCHAIN);
    if (fault?.status !== undefined)
      return perror("SecKeychainItemCreateFromContent", OSSTATUS[fault.status] ?? fault.status);
    let data;
    if (opts.X !== undefined) data = hexToBytes(opts.X.at(-1));
    else data = Buffer.from((opts.w ?? opts.p ?? [""]).at(-1), "latin1");
    if (fault?.truncate !== undefined) data = data.subarray(0, fault.truncate);
    const store = load();
    const service = opts.s.at(-1);
    const account = opts.a.at(-1);
    const label = (opts.l ?? opts.s).at(-1);
    const found = store.items.find(
      (it) => it.keychain === keychain && it.service === service && it.account === account,
    );
    if (found && opts.U && !fault?.updateFails) {
      found.data = data.toString("hex");
      found.label = label;
      save(store);
      return 0;
    }
    if (found) return perror("SecKeychainItemCreateFromContent", DUPLICATE);
    store.items.push({ keychain, service, account, label, data: data.toString("hex") });
    save(store);
    return 0;
  },

  "find-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:gw");
    const keychains = rest.length ? rest : [DEFAULT_KEYCHAIN];
    for (const kc of keychains)
      if (kc !== DEFAULT_KEYCHAIN && !fs.existsSync(kc)) return perror("SecKeychainOpen", NO_SUCH_KEYCHAIN);
    if (fault?.status !== undefined) return perror("SecKeychainSearchCopyNext", OSSTATUS[fault.status] ?? fault.status);
    const item = findItem(load(), opts, keychains);
    if (!item)
      return perror("SecKeychainSearchCopyNext", NOT_FOUND, "The specified item could not be found in the keychain.");
    if (!opts.w) printAttributes(item);
    if (opts.w || opts.g) {
      const bytes = Buffer.from(item.data, "hex");
      const printable = bytes.every((b) => b >= 0x20 && b <= 0x7e);
      process.stdout.write((printable ? bytes.toString("latin1") : item.data) + "\n");
    }
    return 0;
  },

  // keychain_dump: every item of the keychains named (default: the search list), attributes only; -d adds each
  // item's data (the real tool may then ask to unlock).
  "dump-keychain"(argv, fault) {
    const { opts, rest } = getopt(argv, "adir");
    const keychains = rest.length ? rest : [DEFAULT_KEYCHAIN];
    for (const kc of keychains)
      if (kc !== DEFAULT_KEYCHAIN && !fs.existsSync(kc)) return perror("SecKeychainOpen", NO_SUCH_KEYCHAIN);
    if (fault?.status !== undefined) return perror("SecKeychainSearchCopyNext", OSSTATUS[fault.status] ?? fault.status);
    for (const item of load().items) {
      if (!keychains.includes(item.keychain)) continue;
      printAttributes(item);
      if (opts.d) process.stdout.write(`data:\n${printBuffer(Buffer.from(item.data, "hex"))}\n`);
    }
    return 0;
  },

  "delete-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:");
    const keychains = rest.length ? rest : [DEFAULT_KEYCHAIN];
    for (const kc of keychains)
      if (kc !== DEFAULT_KEYCHAIN && !fs.existsSync(kc)) return perror("SecKeychainOpen", NO_SUCH_KEYCHAIN);
    const store = load();
    const item = findItem(store, opts, keychains);
    if (!item)
      return perror("SecKeychainSearchCopyNext", NOT_FOUND, "The specified item could not be found in the keychain.");
    printAttributes(item);
    // The real tool says so whether or not the delete worked.
    process.stderr.write("password has been deleted.\n");
    if (fault?.status !== undefined) return perror("SecKeychainItemDelete", OSSTATUS[fault.status] ?? fault.status);
    store.items.splice(store.items.indexOf(item), 1);
    save(store);
    return 0;
  },
};

// security.c split_line: whitespace separates words, "..." or '...' groups, backslash escapes one char.
function splitLine(line) {
  const args = [];
  let state = "skip";
  let quote = "";
  let current = "";
  for (const ch of line) {
    if (state === "skip") {
      if (/\s/.test(ch)) continue;
      if (ch === '"' || ch === "'") {
        quote = ch;
        state = "quoted";
        current = "";
        continue;
      }
      state = "arg";
      current = "";
    }
    if (state === "arg") {
      if (ch === "\\") state = "arg-escaped";
      else if (/\s/.test(ch)) {
        args.push(current);
        state = "skip";
        if (args.length >= MAX_ARGS) break;
      } else current += ch;
      continue;
    }
    if (state === "quoted") {
      if (ch === "\\") state = "quoted-escaped";
      else if (ch === quote) {
        args.push(current);
        state = "skip";
        if (args.length >= MAX_ARGS) break;
      } else current += ch;
      continue;
    }
    if (state === "arg-escaped") {
      current += ch;
      state = "arg";
    } else if (state === "quoted-escaped") {
      current += ch;
      state = "quoted";
    }
  }
  if (state !== "skip") args.push(current);
  return args;
}

function getopt(argv, spec) {
  const opts = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (let j = 1; j < arg.length; j++) {
      const flag = arg[j];
      const at = spec.indexOf(flag);
      if (at < 0) throw Object.assign(new Error("usage"), { usage: true });
      if (spec[at + 1] === ":") {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        (opts[flag] ??= []).push(value ?? "");
        break;
      }
      opts[flag] = true;
    }
  }
  return { opts, rest: argv.slice(i) };
}

function keychainOf(rest) {
  if (rest.length === 0) return DEFAULT_KEYCHAIN;
  const kc = rest[0];
  return fs.existsSync(kc) ? kc : undefined;
}

function findItem(store, opts, keychains) {
  return store.items.find(
    (it) =>
      keychains.includes(it.keychain) &&
      (!opts.s || it.service === opts.s.at(-1)) &&
      (!opts.a || it.account === opts.a.at(-1)) &&
      (!opts.l || it.label === opts.l.at(-1)),
  );
}

// keychain_utilities.c print_keychain_item_attributes: the keychain, the class, then each attribute as
// `    "<tag>"<format>=<value>` (values through print_buffer).
function printAttributes(item) {
  const blob = (text) => printBuffer(Buffer.from(text, "utf8"));
  process.stdout.write(
    `keychain: "${item.keychain === DEFAULT_KEYCHAIN ? "/Users/fake/Library/Keychains/" + DEFAULT_KEYCHAIN : path.resolve(item.keychain)}"\nversion: 512\nclass: "genp"\nattributes:\n` +
      `    0x00000007 <blob>=${blob(item.label)}\n    0x00000008 <blob>=<NULL>\n` +
      `    "acct"<blob>=${blob(item.account)}\n    "cdat"<timedate>=0x32303236313230373132303030305A00  "20261207120000Z\\000"\n` +
      `    "labl"<blob>=${blob(item.label)}\n    "svce"<blob>=${blob(item.service)}\n`,
  );
}

// print_buffer: printable ASCII but backslash as "...", anything else as 0x<HEX> then (when some byte is
// printable) two spaces and "..." with the others as \ooo.
function printBuffer(bytes) {
  let hex = false;
  let ascii = false;
  let text = "";
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e && b !== 0x5c) {
      ascii = true;
      text += String.fromCharCode(b);
    } else {
      hex = true;
      text += "\\" + b.toString(8).padStart(3, "0");
    }
  }
  let out = "";
  if (hex) out += "0x" + bytes.toString("hex").toUpperCase() + (ascii ? "  " : "");
  if (ascii) out += `"${text}"`;
  return out;
}

function hexToBytes(hex) {
  // An odd length decodes wrongly in the real tool; here the last nibble is dropped.
  return Buffer.from(hex.slice(0, hex.length - (hex.length % 2)), "hex");
}

function perror(what, status, text = "failed") {
  process.stderr.write(`security: ${what}: ${text}\n`);
  return status;
}

function usage(name) {
  process.stderr.write(`Usage: ${name} ...\n`);
  return 2;
}

function load() {
  if (!STORE || !fs.existsSync(STORE)) return { items: [] };
  return JSON.parse(fs.readFileSync(STORE, "utf8"));
}

// Whole-file replace: a concurrent reader sees the old or the new file, never half of one.
function save(store) {
  if (!STORE) return;
  const tmp = `${STORE}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(store));
  fs.renameSync(tmp, STORE);
}

function readStdin() {
  try {
    return fs.readFileSync(0).toString("latin1");
  } catch {
    return "";
  }
}

function parseFaults(text) {
  if (!text) return [];
  const value = JSON.parse(text);
  return Array.isArray(value) ? value : [value];
}

function hang() {
  // Never returns: this "command" blocks until the process is killed.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

function exit(status, message) {
  if (message) process.stderr.write(message + "\n");
  process.exitCode = status;
}

main(process.argv.slice(2));
