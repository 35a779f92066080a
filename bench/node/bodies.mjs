// What both Node bench scripts read: the shared bench bodies of DATA_DIR, ajv 8 (Ajv2020,
// allErrors, ajv-formats) compiled once on its JSON Schema, and the options rxgate is called with.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export function loadBodies(dir) {
  const read = (name) => readFileSync(`${dir}/${name}`, 'utf8');
  const validText = read('visit-valid.json');
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  return {
    validText,
    invalidText: read('visit-invalid.json'),
    validObject: JSON.parse(validText),
    schema: ajv.compile(JSON.parse(read('visit.schema.json'))),
    options: { today: '2026-11-22' },
  };
}
