#!/usr/bin/env node
// A stand-in for macOS /usr/bin/security, written from Apple's source of the tool (apple-oss-distributions/Security,
// Security-61901, SecurityTool/macOS/): each behaviour below names the file it follows. docs/keychain-tools.md lists
// the same facts for the backend's readers.
//
// Environment:
//   FAKE_SECURITY_LOG    file to append one JSON line per run: { argv, stdin }
//   FAKE_SECURITY_STORE  JSON file holding the items: { items: [item] }, each item
//                          { keychain, service, account, label, data(hex) } for a generic password, plus optional
//                          class ("genp" when absent; "inet", or a number for other classes: 0x0000000F a private
//                          key, 0x80001000 a certificate), server (inet) and unreadable: true (its attributes cannot
//                          be read: dump-keychain prints a stub for it)
//   FAKE_SECURITY_FAULT  JSON, one fault or an array of them, each for `command` (a command name or "*"):
//                          { command, status }  the command changes nothing and fails with that exit status
//                          { command, hang: true }  the tool never ends
//                          { command, truncate: n }  add stores only the first n bytes of the secret, exit 0
//                          { command: "add-generic-password", modify: "deny" | "no-interaction" | <OSStatus> }
//                                the in-place update of -U is refused as macOS refuses it: the user denied or
//                                dismissed the dialog (errSecUserCanceled), no dialog can be shown here
//                                (errSecInteractionNotAllowed), or another OSStatus; the tool then tries to create
//                                the item, which fails as a duplicate (exit status 45)
//
// Keychains: "login.keychain-db" stands for the user's default keychain and, with System.keychain, makes the search
// list. Any other keychain is a file: one made by create-keychain starts with the magic "kych"
// (OSX/libsecurity_filedb/lib/AppleDatabase.h); a file that is missing or is not a keychain cannot be opened.
import fs from "node:fs";
import path from "node:path";

const LOG = process.env.FAKE_SECURITY_LOG;
const STORE = process.env.FAKE_SECURITY_STORE;
const FAULTS = parseFaults(process.env.FAKE_SECURITY_FAULT);
const DEFAULT_KEYCHAIN = "login.keychain-db";
const SYSTEM_KEYCHAIN = "/Library/Keychains/System.keychain";
const SEARCH_LIST = [DEFAULT_KEYCHAIN, SYSTEM_KEYCHAIN];
const KEYCHAIN_MAGIC = "kych";
const MAX_LINE_LEN = 4096;
const MAX_ARGS = 32;

// OSStatus for each exit status the tests force (exit status = low byte of the OSStatus: security.c main returns the
// command's int result).
const OSSTATUS = { 44: -25300, 45: -25299, 36: -25308, 51: -25293, 128: -128, 50: -25294, 49: -25295 };
const NOT_FOUND = -25300;
const DUPLICATE = -25299;
const NO_SUCH_KEYCHAIN = -25294;
const INVALID_KEYCHAIN = -25295;
const USER_CANCELED = -128;
const INTERACTION_NOT_ALLOWED = -25308;
// sec_errstr (security.c): the Security framework's string for each OSStatus.
const ERRSTR = {
  [-25300]: "The specified item could not be found in the keychain.",
  [-25299]: "The specified item already exists in the keychain.",
  [-25308]: "User interaction is not allowed.",
  [-25293]: "The user name or passphrase you entered is not correct.",
  [-128]: "User canceled the operation.",
  [-25294]: "The specified keychain could not be found.",
  [-25295]: "The specified keychain is not a valid keychain file.",
  [-25304]: "The specified item is no longer valid. It may have been deleted from the keychain.",
};
const errstr = (status) => ERRSTR[status] ?? `OSStatus ${status}`;

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
  // keychain_add.c keychain_add_generic_password / do_add_generic_password / do_update_generic_password.
  "add-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:p:w:X:AT:U");
    if (!opts.s || !opts.a) return usage("add-generic-password");
    if (rest.length > 1 || rest[0] === "") return usage("add-generic-password");
    const keychain = rest[0] ?? DEFAULT_KEYCHAIN;
    let data;
    if (opts.X !== undefined) {
      data = convertHex(opts.X.at(-1));
      if (!data) {
        process.stderr.write("security: Unable to convert password data (-X must specify valid hex digits)\n");
        return usage("add-generic-password");
      }
    } else data = Buffer.from((opts.w ?? opts.p ?? [""]).at(-1), "latin1");
    if (fault?.truncate !== undefined) data = data.subarray(0, fault.truncate);
    const store = load();
    const service = opts.s.at(-1);
    const account = opts.a.at(-1);
    const label = (opts.l ?? opts.s).at(-1);
    // -U: find the item by its primary key (service, account) in that keychain and modify it in place. A refused
    // modify is reported on stderr and does not stop the command: it goes on to create the item.
    const found = opens(keychain)
      ? store.items.find(
          (it) => isGeneric(it) && it.keychain === keychain && it.service === service && it.account === account,
        )
      : undefined;
    if (opts.U && found) {
      const refused = modifyRefusal(fault);
      if (refused === undefined && fault?.status === undefined) {
        found.data = data.toString("hex");
        found.label = label;
        save(store);
        return 0;
      }
      if (refused !== undefined) process.stderr.write(`security: SecKeychainItemModifyContent: ${errstr(refused)}\n`);
    }
    const where = rest[0] ?? "<default>";
    let status = 0;
    if (fault?.status !== undefined) status = OSSTATUS[fault.status] ?? fault.status;
    else if (keychain !== DEFAULT_KEYCHAIN && !fs.existsSync(keychain)) status = NO_SUCH_KEYCHAIN;
    else if (!opens(keychain)) status = INVALID_KEYCHAIN;
    else if (found) status = DUPLICATE;
    if (status !== 0) {
      process.stderr.write(`security: SecKeychainItemCreateFromContent (${where}): ${errstr(status)}\n`);
      return status;
    }
    store.items.push({ keychain, service, account, label, data: data.toString("hex") });
    save(store);
    return 0;
  },

  // keychain_find.c keychain_find_generic_password / do_keychain_find_generic_password / do_password_item_printing.
  "find-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:gw");
    const item = fault?.status === 44 ? undefined : findItem(load(), opts, searched(rest));
    // find_first_generic_password drops the search's own status: whatever kept the item from being seen (a keychain
    // that cannot be opened is skipped, KCCursor.cpp) is reported as not found.
    if (!item) return perror("SecKeychainSearchCopyNext", NOT_FOUND);
    const getPassword = opts.w || opts.g;
    // The content is read first (this is where a prompt or a locked keychain fails); on failure nothing is printed
    // and the status is the command's (with -i, security.c then says "returned <status>").
    if (getPassword && fault?.status !== undefined) return OSSTATUS[fault.status] ?? fault.status;
    const bytes = Buffer.from(item.data, "hex");
    if (opts.w) {
      // -w: the password alone on stdout; lowercase hex when any byte is not isprint() (0x20-0x7E).
      const printable = bytes.every((b) => b >= 0x20 && b <= 0x7e);
      process.stdout.write((printable ? bytes.toString("latin1") : item.data.toLowerCase()) + "\n");
      return 0;
    }
    printAttributes(item);
    // -g: the attributes on stdout, the password through print_buffer on stderr.
    if (opts.g) process.stderr.write(`password: ${printBuffer(bytes)}\n`);
    return 0;
  },

  // keychain_find.c keychain_dump / do_keychain_dump_class: every item of any class (CSSM_DL_DB_RECORD_ANY) of the
  // keychains named, else of every keychain in the search list; a keychain that cannot be opened is skipped
  // (KCCursor.cpp). Attributes only; -d adds each item's data (the real tool may then ask to unlock).
  "dump-keychain"(argv, fault) {
    const { opts, rest } = getopt(argv, "adhiro:");
    if (fault?.status !== undefined) return perror("SecKeychainSearchCopyNext", OSSTATUS[fault.status] ?? fault.status);
    const keychains = searched(rest);
    for (const kc of keychains) {
      for (const item of load().items) {
        if (item.keychain !== kc) continue;
        if (item.unreadable) {
          // print_keychain_item_attributes: the keychain and version lines are out before the item's class and
          // attributes fail to be read; the dump goes on with the next item.
          process.stdout.write(
            `keychain: ${keychainName(item.keychain)}\nversion: ${keychainVersion(item.keychain)}\n`,
          );
          perror("SecKeychainItemCopyAttributesAndData", -25304);
          continue;
        }
        printAttributes(item);
        if (opts.d) process.stdout.write(`data:\n${printBuffer(Buffer.from(item.data, "hex"))}\n`);
      }
    }
    return 0;
  },

  // keychain_find.c keychain_delete_generic_password / do_keychain_delete_generic_password.
  "delete-generic-password"(argv, fault) {
    const { opts, rest } = getopt(argv, "a:c:C:D:G:j:l:s:g");
    const store = load();
    const item = fault?.status === 44 ? undefined : findItem(store, opts, searched(rest));
    if (!item) return perror("SecKeychainSearchCopyNext", NOT_FOUND);
    printAttributes(item);
    // It says so whether or not the delete worked; the delete's status is returned without a message.
    process.stderr.write("password has been deleted.\n");
    if (fault?.status !== undefined) return OSSTATUS[fault.status] ?? fault.status;
    store.items.splice(store.items.indexOf(item), 1);
    save(store);
    return 0;
  },

  // keychain_create.c keychain_create: `create-keychain [-P] [-p password] keychain`; a throwaway keychain file.
  "create-keychain"(argv) {
    const { rest } = getopt(argv, "hp:P");
    if (rest.length === 0) return usage("create-keychain");
    for (const kc of rest) {
      if (fs.existsSync(kc)) {
        process.stderr.write(`security: SecKeychainCreate ${kc}: A keychain with the same name already exists.\n`);
        return -25296;
      }
      fs.writeFileSync(kc, `${KEYCHAIN_MAGIC}\0\x01\0\0`);
    }
    return 0;
  },

  // keychain_delete.c keychain_delete: removes the keychain file (and so every item in it).
  "delete-keychain"(argv) {
    const { rest } = getopt(argv, "h");
    if (rest.length === 0) return usage("delete-keychain");
    for (const kc of rest) {
      if (!opens(kc)) return perror(`SecKeychainDelete ${kc}`, NO_SUCH_KEYCHAIN);
      fs.rmSync(kc);
      const store = load();
      store.items = store.items.filter((it) => it.keychain !== kc);
      save(store);
    }
    return 0;
  },

  // keychain_unlock.c / keychain_lock.c: nothing to do for the stand-in's keychains.
  "unlock-keychain"() {
    return 0;
  },
  "lock-keychain"() {
    return 0;
  },
};

/** The refused modify a fault asks for, as an OSStatus. */
function modifyRefusal(fault) {
  if (fault?.modify === undefined) return undefined;
  if (fault.modify === "deny") return USER_CANCELED;
  if (fault.modify === "no-interaction") return INTERACTION_NOT_ALLOWED;
  return Number(fault.modify);
}

/** The keychains a search looks in: those named on the command line, else the search list. */
function searched(rest) {
  return (rest.length ? rest : SEARCH_LIST).filter(opens);
}

/** Whether the keychain can be opened: the stand-in's own two, or a file made by create-keychain. */
function opens(kc) {
  if (kc === DEFAULT_KEYCHAIN || kc === SYSTEM_KEYCHAIN) return true;
  try {
    const fd = fs.openSync(kc, "r");
    try {
      const head = Buffer.alloc(4);
      fs.readSync(fd, head, 0, 4, 0);
      return head.toString("latin1") === KEYCHAIN_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

const isGeneric = (item) => item.class === undefined || item.class === "genp";

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

// find_first_generic_password: the first generic password of the keychains, in their order, that matches.
function findItem(store, opts, keychains) {
  return store.items.find(
    (it) =>
      isGeneric(it) &&
      !it.unreadable &&
      keychains.includes(it.keychain) &&
      (!opts.s || it.service === opts.s.at(-1)) &&
      (!opts.a || it.account === opts.a.at(-1)) &&
      (!opts.l || it.label === opts.l.at(-1)),
  );
}

// keychain_utilities.c print_keychain_item_attributes: the keychain (its path through print_buffer), its version,
// the class (four bytes through print_buffer: "genp", or `0x0000000F ` for a key), then each attribute as
// `    <tag><format>=<value>`, the tag four bytes through print_buffer (so `"acct"`, or `0x00000007 ` with its space).
function printAttributes(item) {
  const blob = (text) => (text === undefined ? "<NULL>" : printBuffer(Buffer.from(text, "utf8")));
  const cls = item.class ?? "genp";
  const classBytes =
    typeof cls === "number" ? Buffer.from(cls.toString(16).padStart(8, "0"), "hex") : Buffer.from(cls, "latin1");
  let attributes;
  if (cls === "genp") {
    attributes =
      `    0x00000007 <blob>=${blob(item.label)}\n    0x00000008 <blob>=<NULL>\n` +
      `    "acct"<blob>=${blob(item.account)}\n    "cdat"<timedate>=0x32303236313230373132303030305A00  "20261207120000Z\\000"\n` +
      `    "labl"<blob>=${blob(item.label)}\n    "svce"<blob>=${blob(item.service)}\n`;
  } else if (cls === "inet") {
    attributes =
      `    0x00000007 <blob>=${blob(item.label)}\n    "acct"<blob>=${blob(item.account)}\n` +
      `    "port"<uint32>=0x00000000 \n    "ptcl"<uint32>="htps"\n    "srvr"<blob>=${blob(item.server)}\n`;
  } else {
    // Keys and certificates: their attributes are numbered, not named.
    attributes = `    0x00000000 <uint32>=${printBuffer(classBytes)}\n    0x00000001 <blob>=${blob(item.label)}\n`;
  }
  process.stdout.write(
    `keychain: ${keychainName(item.keychain)}\nversion: ${keychainVersion(item.keychain)}\n` +
      `class: ${printBuffer(classBytes)}\nattributes:\n${attributes}`,
  );
}

function keychainName(kc) {
  const file = kc === DEFAULT_KEYCHAIN ? "/Users/fake/Library/Keychains/" + DEFAULT_KEYCHAIN : path.resolve(kc);
  return printBuffer(Buffer.from(file, "utf8"));
}

function keychainVersion(kc) {
  return kc.endsWith(".keychain-db") ? 512 : 256;
}

// keychain_utilities.c print_buffer: bytes that are all printable ASCII other than backslash as "..."; otherwise
// 0x<HEX> followed by one space, and when some byte is printable, a second space and "..." with the others as \ooo.
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
  if (hex) out += "0x" + bytes.toString("hex").toUpperCase() + (ascii ? "  " : " ");
  if (ascii) out += `"${text}"`;
  return out;
}

// keychain_utilities.c convertHex, as its loop runs. Its comment says an odd number of digits is zero-padded on the
// left ('FFF' as 0x0FFF), and the first digit does become byte 0; but each byte n >= 1 then takes digits 2n and
// 2n+1, so digit 1 is skipped and the last byte pairs the last digit with the string's NUL, which hexToValue reads
// as 16 (strchr finds the terminator of "0123456789abcdef"): "FFF" gives 0F F0. A non-hex digit fails.
function convertHex(hex) {
  const nibble = (i) => (i >= hex.length ? 16 : "0123456789abcdef".indexOf(hex[i].toLowerCase()));
  for (let i = 0; i < hex.length; i++) if (nibble(i) < 0) return undefined;
  const pad = hex.length % 2;
  const bytes = Buffer.alloc((hex.length >> 1) + pad);
  if (pad) bytes[0] = nibble(0);
  for (let n = pad; n < bytes.length; n++) bytes[n] = ((nibble(2 * n) << 4) | nibble(2 * n + 1)) & 0xff;
  return bytes;
}

// security.c sec_perror: `security: <what>: <sec_errstr(status)>` on stderr.
function perror(what, status) {
  process.stderr.write(`security: ${what}: ${errstr(status)}\n`);
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
