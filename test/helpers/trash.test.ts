/**
 * The extension's one trash step (src/helpers/trash.ts on src/lib/trash.ts): the register form, Import Keys and Move
 * Leftover Key Files to Trash all move key files through it, and nothing else hands paths to Raycast's trash().
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { moveKeyFilesToTrash } from "../../src/helpers/trash";
import { raycast } from "../raycast/harness";
import { filesMatching } from "../support/source";
import { testWorld } from "../support/world";

describe("moveKeyFilesToTrash", () => {
  const world = testWorld("helpers-trash");

  it("hands Raycast's trash() each file, and for a link the file it points to, then the link", async () => {
    const [a, b] = [world.key(), world.key()];
    const fileA = await world.writeP8(a);
    const fileB = await world.writeP8(b);
    const link = path.join(path.dirname(fileA), "link.p8");
    await fs.symlink(fileB, link);
    await moveKeyFilesToTrash([fileA, link]);
    expect(raycast.trashed).toEqual([fileA, await fs.realpath(fileB), link]);
  });

  it("moves nothing when one of the files cannot be found", async () => {
    const file = await world.writeP8(world.key());
    await expect(moveKeyFilesToTrash([file, path.join(path.dirname(file), "gone.p8")])).rejects.toThrow(
      /could not be found/,
    );
    expect(raycast.trashed).toEqual([]);
  });

  it("is the one: only it calls Raycast's trash(), and only the core resolves what a path moves", () => {
    expect(filesMatching(/import\s*\{[^}]*\btrash\b[^}]*\}\s*from\s*"@raycast\/api"/)).toEqual({
      "helpers/trash.ts": 1,
    });
    expect(filesMatching(/\bresolveTrashTargets\(/)).toEqual({ "lib/trash.ts": 3 });
    expect(filesMatching(/\bmoveKeyFilesToTrash\(/)).toEqual({
      "helpers/import-key.ts": 1,
      "helpers/key-actions.ts": 1,
      "helpers/register.ts": 1,
      "helpers/trash.ts": 1,
    });
  });
});
