// Loaded into a CLI child by tests (`node --import <this file> dist-cli/asc-key.js ...`), to measure it from inside
// without changing it: when the process exits, writes its peak resident set size in KiB (getrusage's ru_maxrss,
// the kernel's high-water mark, as /proc/<pid>/status VmHWM shows it) to the file named by PEAK_RSS_FILE.
// A process that V8 aborts writes nothing, which the test reports along with the exit status.
import { writeFileSync } from "node:fs";

const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
}
