/**
 * A record of every process this test file's code starts through node:child_process's `spawn`, for a check that rests
 * on what was (or was not) started rather than on waiting: "the opener was never started", "the hung tool was killed".
 *
 *   vi.mock("node:child_process", async (original) => (await import("../support/spawns")).recordingSpawns(original));
 *   import { spawned, endOf } from "../support/spawns";
 *   expect(spawned.map((child) => child.spawnfile)).toEqual([]);
 *   expect(await endOf(spawned[0])).toBe("SIGKILL");
 */
import type { ChildProcess } from "node:child_process";

type ChildProcessModule = typeof import("node:child_process");

/** Every process started so far, oldest first (empty it with `spawned.length = 0`). */
export const spawned: ChildProcess[] = [];

/** node:child_process with a `spawn` that records each child in `spawned`. For vi.mock's factory. */
export async function recordingSpawns(importOriginal: () => Promise<unknown>): Promise<ChildProcessModule> {
  const original = (await importOriginal()) as ChildProcessModule;
  const spawn = ((...args: Parameters<ChildProcessModule["spawn"]>) => {
    const child = original.spawn(...args);
    spawned.push(child);
    return child;
  }) as ChildProcessModule["spawn"];
  return { ...original, spawn };
}

/** The signal that ended a process, or null when it exited by itself: once it has ended. */
export function endOf(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once("exit", (_status, signal) => resolve(signal)));
}
