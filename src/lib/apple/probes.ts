/**
 * What the capability check asks, one row per area: its title and the read-only requests (`GET …?limit=1`) that
 * answer it. Adding a probe is one row here; the check, the CLI's table, the AI tool and API Key Status follow.
 *
 *   apps          GET /v1/apps            (the validity check asks this one only)
 *   builds        GET /v1/builds
 *   testflight    GET /v1/betaGroups
 *   provisioning  GET /v1/certificates and GET /v1/bundleIds (what Xcode's automatic signing works with)
 *   users         GET /v1/users           (Users and Access)
 */
const AREA_TABLE = {
  apps: { title: "Apps", paths: ["/v1/apps?limit=1"] },
  builds: { title: "Builds", paths: ["/v1/builds?limit=1"] },
  testflight: { title: "TestFlight", paths: ["/v1/betaGroups?limit=1"] },
  provisioning: { title: "Provisioning", paths: ["/v1/certificates?limit=1", "/v1/bundleIds?limit=1"] },
  users: { title: "Users and Access", paths: ["/v1/users?limit=1"] },
} as const satisfies Record<string, { title: string; paths: readonly string[] }>;

export type Area = keyof typeof AREA_TABLE;

/** The areas, in the order they are reported. */
export const AREAS = Object.keys(AREA_TABLE) as Area[];

/** How each area is named to the user. */
export const AREA_TITLES: Readonly<Record<Area, string>> = Object.fromEntries(
  AREAS.map((area) => [area, AREA_TABLE[area].title]),
) as Record<Area, string>;

/** The requests, in the order they are reported. Provisioning takes two. */
export const PROBES: readonly { area: Area; path: string }[] = AREAS.flatMap((area) =>
  AREA_TABLE[area].paths.map((path) => ({ area, path })),
);

/** The most requests one capability check sends. */
export const MAX_REQUESTS = PROBES.length;

/** The area the validity check asks: `GET /v1/apps?limit=1`, one request. */
export const VALIDITY_AREA: Area = "apps";
