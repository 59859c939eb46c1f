// Bundles src/main/web/ into target/classes/static/ (served by the controller at /). Run by Maven
// (npm run build) or by hand; `node build.mjs --watch` rebuilds on change for development.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = process.env.CIVITAS_UI_OUT || "target/classes/static";
mkdirSync(out, { recursive: true });
copyFileSync("src/main/web/index.html", `${out}/index.html`);

const options = {
  entryPoints: { app: "src/main/web/main.js" },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  outdir: out,
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  legalComments: "none",
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
