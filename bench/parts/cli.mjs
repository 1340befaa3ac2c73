// 3. The CLI, whole process: `node <bin> token|status` against a bare node script (bench/floor-cli.cjs) that reads
// the entry with one secret-tool lookup and, for the token, signs with node:crypto. The ratio is taken pair by pair
// (each run of ours against the floor's run right after it), the median of those ratios.
import { spawn } from "node:child_process";
import path from "node:path";
import { alternate, root, timingRow } from "./common.mjs";

const ROUNDS = 31;
const FLOOR = path.join(root, "bench/floor-cli.cjs");

/** Runs `node script ...args` to its end; rejects unless it exits 0 and printed something. */
function runNode(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status === 0 && out.trim() !== "") resolve(out);
      else reject(new Error(`${path.relative(root, script)} ${args.join(" ")} exited with ${status}: ${err.trim()}`));
    });
  });
}

/** Status and token with one saved key and no retired key: at most this many times the floor, pair by pair. */
export const CLI_GOAL = 1.25;

export async function benchCli({ bin }) {
  const cli = path.join(root, bin);
  const rows = [];
  for (const command of ["token", "status"]) {
    const floorArgs = command === "status" ? ["status"] : [];
    const floor = () => runNode(FLOOR, floorArgs);
    const samples = await alternate({ ours: () => runNode(cli, [command]), floor, rounds: ROUNDS, warmup: 2 });
    rows.push(
      timingRow({
        id: command === "token" ? "3a" : "3b",
        name: `cli: node ${bin} ${command}`,
        floorName:
          command === "token" ? "node floor-cli.cjs (secret-tool lookup + sign)" : "node floor-cli.cjs status (lookup)",
        samples,
        maxRatio: CLI_GOAL,
        paired: true,
      }),
    );
  }
  return rows;
}
