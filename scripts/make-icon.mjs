// Renders assets/icon.svg to the 512x512 PNG Raycast shows (assets/extension-icon.png), and a 16 px
// preview to check the key still reads at list size: `npm run icon`.
import { readFileSync, writeFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";

const svg = readFileSync(new URL("../assets/icon.svg", import.meta.url));
const render = (width) => new Resvg(svg, { fitTo: { mode: "width", value: width } }).render().asPng();

writeFileSync(new URL("../assets/extension-icon.png", import.meta.url), render(512));
if (process.argv.includes("--preview")) {
  for (const size of [16, 32]) writeFileSync(`/tmp/extension-icon-${size}.png`, render(size));
  console.log("previews: /tmp/extension-icon-16.png, /tmp/extension-icon-32.png");
}
console.log("assets/extension-icon.png: 512x512");
