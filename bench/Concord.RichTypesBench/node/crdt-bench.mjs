// Measures Yjs (and Automerge, when installed) on an editing trace, the way the Concord text type is
// measured beside it: every patch as a local edit in its own transaction, then the encoded document,
// the time to load it, and the heap it takes once loaded. Prints one JSON object per library.
//
// An ES module on purpose: `import` picks each package's ES module build (yjs's dist/yjs.mjs), which runs
// the trace 3-5x faster than the CommonJS build `require` picks. ES modules ignore NODE_PATH, so the
// caller copies this file next to the node_modules folder it installed into.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';

/** The file a bare specifier loads, so that the report says which build was measured. */
function resolved(specifier) {
  return fileURLToPath(import.meta.resolve(specifier));
}

/** The version of the package that `file` belongs to, from the nearest package.json above it naming it. */
function versionOf(name, file) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const json = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (json.name === name) return json.version;
    }
  }
  return '?';
}

const yjsFile = resolved('yjs');
if (!yjsFile.endsWith('.mjs')) throw new Error(`Expected the ES module build of Yjs, loaded ${yjsFile}`);

if (process.argv[2] === '--load-yjs') {
  // Child mode: a fresh heap that holds nothing but the loaded document.
  const bytes = fs.readFileSync(process.argv[3]);
  global.gc(); global.gc();
  const before = process.memoryUsage().heapUsed;
  const doc = new Y.Doc();
  Y.applyUpdateV2(doc, bytes);
  const text = doc.getText('text').toString();
  global.gc(); global.gc();
  console.log(JSON.stringify({ memoryBytes: process.memoryUsage().heapUsed - before, length: text.length }));
  process.exit(0);
}

const tracePath = process.argv[2];
const runs = Number(process.argv[3] || 3);
const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(tracePath)));
const patches = [];
for (const txn of trace.txns) for (const p of txn.patches) patches.push(p);

function median(values) { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function measureYjs() {
  const applyTimes = [];
  let doc;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    doc = new Y.Doc();
    const text = doc.getText('text');
    for (const [pos, del, ins] of patches) {
      doc.transact(() => { if (del > 0) text.delete(pos, del); if (ins.length > 0) text.insert(pos, ins); });
    }
    applyTimes.push(performance.now() - start);
    if (text.toString() !== trace.endContent) throw new Error('Yjs did not reproduce the trace');
  }
  const v1 = Y.encodeStateAsUpdate(doc);
  const v2 = Y.encodeStateAsUpdateV2(doc);
  const loadTimes = [];
  let loaded;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    loaded = new Y.Doc();
    Y.applyUpdateV2(loaded, v2);
    loaded.getText('text').toString();
    loadTimes.push(performance.now() - start);
  }
  if (loaded.getText('text').toString() !== trace.endContent) throw new Error('Yjs did not load its own document');
  const file = path.join(os.tmpdir(), 'concord-yjs-' + process.pid + '.bin');
  fs.writeFileSync(file, v2);
  const child = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--load-yjs', file], { env: process.env });
  fs.unlinkSync(file);
  const memoryBytes = JSON.parse(child.toString()).memoryBytes;
  return { library: 'Yjs ' + versionOf('yjs', yjsFile), module: yjsFile, applyMs: median(applyTimes), bytesV1: v1.length, bytes: v2.length, loadMs: median(loadTimes), memoryBytes };
}

async function measureAutomerge() {
  // The package's "node" import condition: the ES module entry that loads the WebAssembly from disk.
  let A, file;
  try {
    file = resolved('@automerge/automerge');
    A = await import('@automerge/automerge');
  } catch {
    return null;
  }
  const start = performance.now();
  let doc = A.from({ text: '' });
  const deadline = start + 180000;
  for (const [pos, del, ins] of patches) {
    doc = A.change(doc, d => { A.splice(d, ['text'], pos, del, ins); });
    if (performance.now() > deadline) return { library: 'Automerge', module: file, skipped: 'took over 180 s to apply the trace' };
  }
  const applyMs = performance.now() - start;
  if (doc.text !== trace.endContent) throw new Error('Automerge did not reproduce the trace');
  const bytes = A.save(doc);
  const loadStart = performance.now();
  const loaded = A.load(bytes);
  const loadMs = performance.now() - loadStart;
  if (loaded.text !== trace.endContent) throw new Error('Automerge did not load its own document');
  return { library: 'Automerge ' + versionOf('@automerge/automerge', file), module: file, applyMs, bytes: bytes.length, loadMs };
}

console.log(JSON.stringify(measureYjs()));
const automerge = await measureAutomerge();
if (automerge) console.log(JSON.stringify(automerge));
