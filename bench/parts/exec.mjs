// 6. `asc-key exec -- true`, whole process, against its floor: a bare `secret-tool lookup` process and then `true`,
// the least any wrapper must do (read the key, run the command). 6b times the same against a bare node script doing
// that (bench/floor-exec.cjs), and 6c a node process that does nothing at all against the floor of 6a: node's own
// start-up alone is several times that floor, so no node program can meet 6a's goal; 6b shows what is ours.
import { spawn } from "node:child_process";
import path from "node:path";
import { secretToolLookup } from "./keychain.mjs";
import { alternate, root, timingRow } from "./common.mjs";

const ROUNDS = 31;
const FLOOR_NODE = path.join(root, "bench/floor-exec.cjs");

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
  const floor = async () => {
    await secretToolLookup(service, account);
    await run("true", []);
  };
  const nodeFloor = () => run(process.execPath, [FLOOR_NODE]);
  const nothing = () => run(process.execPath, ["-e", ""]);
  const bare = await alternate({ ours, floor, rounds: ROUNDS, warmup: 2 });
  const node = await alternate({ ours, floor: nodeFloor, rounds: ROUNDS, warmup: 2 });
  const start = await alternate({ ours: nothing, floor, rounds: ROUNDS, warmup: 2 });
  return [
    timingRow({
      id: "6a",
      name: `exec: node ${bin} exec -- true`,
      floorName: "secret-tool lookup, then true",
      samples: bare,
      maxRatio: 1.2,
    }),
    timingRow({
      id: "6b",
      name: `exec: node ${bin} exec -- true`,
      floorName: "node floor-exec.cjs (secret-tool, then true)",
      samples: node,
      note: "no goal: what is ours beyond what any node program does",
    }),
    timingRow({
      id: "6c",
      name: 'node -e "" (a node process doing nothing)',
      floorName: "secret-tool lookup, then true",
      samples: start,
      note: "no goal: node's own start-up against 6a's floor",
    }),
  ];
}
