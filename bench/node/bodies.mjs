// What both Node bench scripts read: the shared bench bodies of DATA_DIR (and an all-ASCII
// copy of the valid one), ajv 8 (Ajv2020, allErrors, ajv-formats) compiled once on its JSON
// Schema, and the options rxgate is called with.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export function loadBodies(dir) {
  const read = (name) => readFileSync(`${dir}/${name}`, 'utf8');
  const validText = read('visit-valid.json');
  // The same valid body with its two accented letters (in the first name) written without
  // their accents: all ASCII, as most bodies are. JS engines copy such strings into the
  // module on a faster path than one with a character above U+007F (README "Speed"). It is
  // decoded from its bytes, as a body read from a file or the network is, so V8 holds it one
  // byte per character; the string `replace` builds holds two, and copies as slowly as a
  // non-ASCII one.
  const unaccented = validText.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  const asciiText = new TextDecoder().decode(new TextEncoder().encode(unaccented));
  if (/[^\x00-\x7f]/.test(asciiText)) throw new Error('the ASCII copy of the valid body is not ASCII');
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  return {
    validText,
    asciiText,
    invalidText: read('visit-invalid.json'),
    validObject: JSON.parse(validText),
    schema: ajv.compile(JSON.parse(read('visit.schema.json'))),
    options: { today: '2026-11-22' },
  };
}
