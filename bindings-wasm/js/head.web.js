// rxgate — browser ES module entry (bundler-free `<script type="module">`, Vite, …).
// Call `await init()` once before anything else: it fetches and compiles the .wasm.
import initGlue, * as glue from './web/rxgate_wasm.js';

const preloaded = false;
async function load(input) {
  await initGlue(input === undefined ? undefined : { module_or_path: input });
}
