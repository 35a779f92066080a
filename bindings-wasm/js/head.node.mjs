// rxgate — Node ES module entry: the .wasm is compiled synchronously at import time, so
// `init()` is an already-resolved no-op kept for code shared with the browser.
import { readFileSync } from 'node:fs';
import * as glue from './web/rxgate_wasm.js';

glue.initSync({ module: readFileSync(new URL('./web/rxgate_wasm_bg.wasm', import.meta.url)) });
const preloaded = true;
async function load() {}
