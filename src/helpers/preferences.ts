import { getPreferenceValues } from "@raycast/api";

interface ExtensionPreferences {
  /** Days; "0" turns the reminder off. */
  rotateAfterDays?: string;
}

/** The "Suggest rotation after" preference in days, or undefined when it is off. */
export function rotationDays(): number | undefined {
  const raw = getPreferenceValues<ExtensionPreferences>().rotateAfterDays ?? "180";
  const days = Number.parseInt(raw, 10);
  return Number.isFinite(days) && days > 0 ? days : undefined;
}
