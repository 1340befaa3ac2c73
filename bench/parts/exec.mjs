// 6. `asc-key exec -- true`, whole process, against its floor: a bare node script doing the same work
// (bench/floor-exec.cjs: read the key with secret-tool, write the private files, run `true`, remove them). Both pay
// node's start-up, which no choice in asc-key can change; the ratio is what is ours. 6b, without a goal, times a node
// process that does nothing against `secret-tool lookup` and `true`, to show how much of either is node starting.
import { spawn } from "node:child_process";
import path from "node:path";
import { secretToolLookup } from "./keychain.mjs";
import { alternate, root, timingRow } from "./common.mjs";

const ROUNDS = 31;
const FLOOR_NODE = path.join(root, "bench/floor-exec.cjs");
/** The goal: `exec -- true` within 1.3 times the bare script. */
const EXEC_MAX_RATIO = 1.3;

/** Runs a program to its end; rejects unless it exits 0. */
function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0) resolve();
      else reject(new Error(`${path.basename(file)} ${args.join(" ")} exited with ${status}: ${err.trim()}`));
    });
  });
}

export async function benchExec({ bin, service, account }) {
  const cli = path.join(root, bin);
  const ours = () => run(process.execPath, [cli, "exec", "--", "true"]);
  const floor = () => run(process.execPath, [FLOOR_NODE]);
  const bare = async () => {
    await secretToolLookup(service, account);
    await run("true", []);
  };
  const nothing = () => run(process.execPath, ["-e", ""]);
  const node = await alternate({ ours, floor, rounds: ROUNDS, warmup: 2 });
  const start = await alternate({ ours: nothing, floor: bare, rounds: ROUNDS, warmup: 2 });
  return [
    timingRow({
      id: "6a",
      name: `exec: node ${bin} exec -- true`,
      floorName: "node floor-exec.cjs (secret-tool, the private files, true, removed)",
      samples: node,
      maxRatio: EXEC_MAX_RATIO,
    }),
    timingRow({
      id: "6b",
      name: 'node -e "" (a node process doing nothing)',
      floorName: "secret-tool lookup, then true",
      samples: start,
      note: "no goal: node's own start-up, paid by 6a and its floor alike",
    }),
  ];
}
