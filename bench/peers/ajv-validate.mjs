// The peer make bench runs for JSON validation: ajv 8 (Ajv2020, formats
// added), its validators compiled once, in one node process, as a user would
// write it.
//   node ajv-validate.mjs records SCHEMA FILE.jsonl  each line against the
//       schema's $defs for the kind it names in "record" (dossier's own check)
//   node ajv-validate.mjs lines SCHEMA FILE.jsonl    each line against SCHEMA
//   node ajv-validate.mjs document SCHEMA FILE.json  the whole document
// Exit 0 when everything is valid, 1 when something is not.
import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const [mode, schemaPath, file] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
let invalid = 0;

if (mode === "document") {
  const validate = ajv.compile(schema);
  if (!validate(JSON.parse(readFileSync(file, "utf8")))) invalid++;
} else {
  let check;
  if (mode === "records") {
    ajv.addSchema(schema);
    const byKind = {};
    for (const kind of ["entity", "event", "source", "designation"])
      byKind[kind] = ajv.getSchema(`${schema.$id}#/$defs/${kind}`);
    check = (rec) => {
      const validate = byKind[rec.record];
      delete rec.record;
      return validate !== undefined && validate(rec);
    };
  } else {
    check = ajv.compile(schema);
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines)
    if (line.trim() && !check(JSON.parse(line))) invalid++;
}
process.exit(invalid ? 1 : 0);
