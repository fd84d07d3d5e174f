// Bundles JsSIP for the page of call.js into one browser script (JsSIP ships no browser build).
// usage: node bundle.js <outfile>
require('esbuild').build({
  stdin: { contents: 'const m = require("jssip"); window.JsSIP = m.WebSocketInterface ? m : m.default;', resolveDir: __dirname },
  bundle: true,
  format: 'iife',
  outfile: process.argv[2],
}).catch((e) => { console.error(e.message); process.exit(1); });
