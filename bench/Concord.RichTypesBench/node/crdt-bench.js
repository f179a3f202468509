// Measures Yjs (and Automerge, when installed) on an editing trace, the way the Concord text type is
// measured beside it: every patch as a local edit in its own transaction, then the encoded document,
// the time to load it, and the heap it takes once loaded. Prints one JSON object per library.
'use strict';
const fs = require('fs');
const zlib = require('zlib');

if (process.argv[2] === '--load-yjs') {
  // Child mode: a fresh heap that holds nothing but the loaded document.
  const Y = require('yjs');
  const bytes = fs.readFileSync(process.argv[3]);
  global.gc(); global.gc();
  const before = process.memoryUsage().heapUsed;
  const doc = new Y.Doc();
  Y.applyUpdateV2(doc, bytes);
  const text = doc.getText('text').toString();
  global.gc(); global.gc();
  console.log(JSON.stringify({ memoryBytes: process.memoryUsage().heapUsed - before, length: text.length }));
  return;
}

const tracePath = process.argv[2];
const runs = Number(process.argv[3] || 3);
const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(tracePath)));
const patches = [];
for (const txn of trace.txns) for (const p of txn.patches) patches.push(p);

function versionOf(name) {
  for (const dir of (process.env.NODE_PATH || '').split(require('path').delimiter).filter(Boolean)) {
    const file = require('path').join(dir, name, 'package.json');
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  }
  return '?';
}

function median(values) { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function measureYjs() {
  const Y = require('yjs');
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
  const file = require('path').join(require('os').tmpdir(), 'concord-yjs-' + process.pid + '.bin');
  fs.writeFileSync(file, v2);
  const child = require('child_process').execFileSync(process.execPath, ['--expose-gc', __filename, '--load-yjs', file], { env: process.env });
  fs.unlinkSync(file);
  const memoryBytes = JSON.parse(child.toString()).memoryBytes;
  return { library: 'Yjs ' + versionOf('yjs'), applyMs: median(applyTimes), bytesV1: v1.length, bytes: v2.length, loadMs: median(loadTimes), memoryBytes };
}

function measureAutomerge() {
  let A;
  try { A = require('@automerge/automerge'); } catch { return null; }
  const start = performance.now();
  let doc = A.from({ text: '' });
  const deadline = start + 180000;
  for (const [pos, del, ins] of patches) {
    doc = A.change(doc, d => { A.splice(d, ['text'], pos, del, ins); });
    if (performance.now() > deadline) return { library: 'Automerge', skipped: 'took over 180 s to apply the trace' };
  }
  const applyMs = performance.now() - start;
  if (doc.text !== trace.endContent) throw new Error('Automerge did not reproduce the trace');
  const bytes = A.save(doc);
  const loadStart = performance.now();
  const loaded = A.load(bytes);
  const loadMs = performance.now() - loadStart;
  if (loaded.text !== trace.endContent) throw new Error('Automerge did not load its own document');
  return { library: 'Automerge ' + versionOf('@automerge/automerge'), applyMs, bytes: bytes.length, loadMs };
}

console.log(JSON.stringify(measureYjs()));
const automerge = measureAutomerge();
if (automerge) console.log(JSON.stringify(automerge));
