import { useCachedPromise } from "@raycast/utils";
import { useEffect, useState } from "react";
import { keyStore } from "../helpers/core";
import { bestEffort, rememberSavedKey, rememberUnreadableEntry } from "../helpers/local-storage";
import { isUnreadableEntry } from "../lib/errors";
import { readStatus, type StatusReport } from "../lib/keys";

/** One Keychain read; what it found is remembered (nothing secret) for the commands that need only the Key ID. */
async function loadStatus(): Promise<StatusReport> {
  try {
    const report = await readStatus(keyStore());
    await bestEffort(() => rememberSavedKey(report.status));
    return report;
  } catch (error) {
    if (isUnreadableEntry(error)) await bestEffort(rememberUnreadableEntry);
    throw error;
  }
}

/**
 * The saved key's masked status. First paint comes from Raycast's cache (non-secret metadata only: Key ID,
 * Issuer ID suffix, fingerprint, dates), then one Keychain read confirms it. `known` is a status the caller has just
 * confirmed (a registration's read-back): it is shown, and cached for the next first paint, without reading the
 * Keychain again until `revalidate`. `show` does the same later.
 */
export function useKeyStatus(known?: StatusReport) {
  const [pinned, setPinned] = useState(known);
  const cached = useCachedPromise(loadStatus, [], {
    keepPreviousData: true,
    execute: pinned === undefined,
    // The view shows a Keychain failure itself, with Retry: no failure toast on top.
    onError: () => undefined,
  });
  const show = (report: StatusReport) => {
    setPinned(report);
    void cached.mutate(undefined, { optimisticUpdate: () => report, shouldRevalidateAfter: false });
  };
  useEffect(() => {
    // Cached for the next first paint; no read now (execute is off while a status is pinned).
    if (known) show(known);
  }, []);
  return {
    data: pinned ?? cached.data,
    error: pinned ? undefined : cached.error,
    isLoading: pinned ? false : cached.isLoading,
    show,
    /** Reads the Keychain again (once: unpinning turns the read back on by itself). */
    revalidate: () => {
      if (pinned) setPinned(undefined);
      else void cached.revalidate();
    },
  };
}
