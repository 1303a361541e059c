// Parse an AsyncAPI document with the AsyncAPI project's parser (the one its tools use) and
// print its diagnostics as JSON: [{severity, code, message, path}]. Severity 0 is an error.
// Usage: node parse.mjs <asyncapi.json>
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Parser, fromFile } from "@asyncapi/parser";

const path = resolve(process.argv[2]);
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
const found = diagnostics.map((d) => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  path: d.path.join("/"),
}));
const summary = document
  ? {
      channels: document.channels().all().map((c) => c.address()),
      operations: document.operations().all().map((o) => ({
        id: o.id(),
        action: o.action(),
        channels: o.channels().all().map((c) => c.address()),
      })),
      messages: document.components().messages().all().map((m) => m.name()),
    }
  : null;
console.log(JSON.stringify({ valid: Boolean(document), diagnostics: found, summary }));
