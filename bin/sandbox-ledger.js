#!/usr/bin/env -S node --heap-growing-percent=50
// Runs the compiled CLI (built by `npm ci` through the prepare script, or `npm run build`). The node flags are those of
// `npm start` (package.json): V8's old generation grows by at most half its live size between collections, which keeps
// the server's memory under load near what it really holds (by default V8 lets it grow up to fourfold).
import '../dist/cli/main.js';
