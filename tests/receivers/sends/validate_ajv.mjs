// A second, independent check of the send schema: Ajv (Draft 2020-12) over the same captured
// real sends as validate.py. Run from a folder whose node_modules has ajv 8, e.g.
//
//     D=$(mktemp -d); ln -s /path/to/node_modules "$D/node_modules"
//     cp tests/receivers/sends/validate_ajv.mjs "$D/" && node "$D/validate_ajv.mjs" "$PWD"
//
// Unknown keywords (x-unique, x-expected) are annotations: strict mode is off for them only.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";

const root = process.argv[2];
const schema = JSON.parse(readFileSync(join(root, "src/providers/meta/schemas/sends/meta-send.json")));
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const fixtures = join(root, "tests/fixtures/meta-sends");
let valid = 0, invalid = 0;
for (const sdk of readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(fixtures, sdk.name)).filter((f) => f.endsWith(".json")).sort()) {
        const { request } = JSON.parse(readFileSync(join(fixtures, sdk.name, file)));
        if (request.method !== "POST" || !("body" in request)) continue;
        if (!/\/(marketing_)?messages$/.test(request.path)) continue;
        if (validate(request.body)) valid++;
        else {
            invalid++;
            console.log(`INVALID ${sdk.name}/${file}:`, JSON.stringify(validate.errors.slice(0, 3)));
        }
    }
}
console.log(`ajv ${JSON.parse(readFileSync(new URL("./node_modules/ajv/package.json", import.meta.url))).version}: ${valid} real sends valid, ${invalid} invalid`);
process.exit(invalid ? 1 : 0);
