// 1. Token minting in-process: mintToken against signing the same claims with node:crypto directly. Shown without a
// goal: a first token costs well under a millisecond, next to a request to Apple of hundreds.
import { createPrivateKey, sign } from "node:crypto";
import { alternate, batchFor, timingRow } from "./common.mjs";

const AUDIENCE = "appstoreconnect-v1";
const ROUNDS = 31;

const base64url = (value) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/** The same header and claims as ours (iat back-dated 60 s, 600 s lifetime), signed ES256 by node:crypto. */
function floorToken(key, record) {
  const iat = Math.floor(Date.now() / 1000) - 60;
  const header = { alg: "ES256", kid: record.keyId, typ: "JWT" };
  const input = `${base64url(header)}.${base64url({ iss: record.issuerId, aud: AUDIENCE, iat, exp: iat + 600 })}`;
  return `${input}.${sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`;
}

export async function benchToken({ core, record }) {
  const { clearTokenCache, mintToken } = core;
  const floorFirst = () => floorToken(createPrivateKey(record.privateKey), record);
  const keptKey = createPrivateKey(record.privateKey);
  const floorKept = () => floorToken(keptKey, record);

  const oursFirst = () => {
    clearTokenCache();
    return mintToken(record);
  };
  const first = await alternate({
    ours: oursFirst,
    floor: floorFirst,
    rounds: ROUNDS,
    batch: await batchFor(floorFirst),
  });

  clearTokenCache();
  await mintToken(record);
  const oursReused = () => mintToken(record, { reuse: false });
  const reused = await alternate({
    ours: oursReused,
    floor: floorKept,
    rounds: ROUNDS,
    batch: await batchFor(floorKept),
  });

  const oursCached = () => mintToken(record);
  const cached = await alternate({
    ours: oursCached,
    floor: floorKept,
    rounds: ROUNDS,
    batch: await batchFor(floorKept),
  });
  clearTokenCache();

  return [
    timingRow({
      id: "1a",
      name: "token: first call (import key + sign)",
      floorName: "createPrivateKey + sign",
      samples: first,
      note: "no goal: a first token costs well under a millisecond, once per process",
    }),
    timingRow({
      id: "1b",
      name: "token: key imported, fresh token (reuse:false)",
      floorName: "sign with a kept KeyObject",
      samples: reused,
    }),
    timingRow({
      id: "1c",
      name: "token: cached token handed out again",
      floorName: "sign with a kept KeyObject",
      samples: cached,
    }),
  ];
}
