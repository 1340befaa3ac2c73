// 7. The capability check: against the Apple stand-in with a fixed delay per answer, the whole check
// (one token, six requests at once) against one plain request with a token already made. The six run in parallel,
// so the check should take about as long as one request (goal ≤ 1.3x), and it must send at most six.
import { alternate, loadBundle, timingRow } from "./common.mjs";

const ROUNDS = 15;
/** Each answer of the stand-in waits this long: a network round trip much longer than the work around it. */
const DELAY_MS = 100;

/** The capability check (src/lib/apple) and the stand-in (test/support), bundled by esbuild as the CLI ships the core. */
function load(tempDir) {
  return loadBundle(tempDir, "capabilities", [
    'export { checkCapabilities } from "./src/lib/apple";',
    'export { MAX_REQUESTS } from "./src/lib/apple/probes";',
    'export { clearTokenCache, mintToken } from "./src/lib/token";',
    'export { startAppleStandIn } from "./test/support/apple-stand-in";',
  ]);
}

export async function benchCapabilities({ tempDir, record }) {
  const { checkCapabilities, MAX_REQUESTS, mintToken, startAppleStandIn } = await load(tempDir);
  const apple = await startAppleStandIn({ delayMs: DELAY_MS });
  try {
    apple.registerRecord(record, { role: "admin", rateLimitRemaining: 1_000_000 });
    const options = { baseUrl: apple.url };

    apple.requests.length = 0;
    const first = await checkCapabilities(record, options);
    const sent = apple.requests.length;
    if (first.outcome !== "valid") throw new Error(`the check against the stand-in said ${first.outcome}`);

    const token = await mintToken(record);
    const oneRequest = async () => {
      const response = await fetch(`${apple.url}/v1/apps?limit=1`, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
      });
      await response.text();
      if (response.status !== 200) throw new Error(`one request: HTTP ${response.status}`);
    };
    const samples = await alternate({
      ours: () => checkCapabilities(record, options),
      floor: oneRequest,
      rounds: ROUNDS,
      warmup: 2,
    });
    return [
      timingRow({
        id: "7a",
        name: `capabilities: whole check, ${DELAY_MS} ms per answer`,
        floorName: "one GET /v1/apps with a token in hand",
        samples,
        maxRatio: 1.3,
      }),
      {
        id: "7b",
        name: "capabilities: requests per check",
        kind: "count",
        unit: "requests",
        ours: { count: sent },
        goal: `≤ ${MAX_REQUESTS}`,
        met: sent <= MAX_REQUESTS && sent > 0,
        note: `areas: ${Object.entries(first.areas)
          .map(([area, result]) => `${area} ${result.answer}`)
          .join(", ")}`,
      },
    ];
  } finally {
    await apple.close();
  }
}
