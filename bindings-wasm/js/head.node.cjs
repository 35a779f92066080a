// rxgate — Node CommonJS entry: the .wasm is compiled synchronously at require time, so
// `init()` is an already-resolved no-op kept for code shared with the browser.
'use strict';
const glue = require('./node/rxgate_wasm.js');

const preloaded = true;
async function load() {}
