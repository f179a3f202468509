// Writes the Yjs updates the load generator sends, and the frames the server will broadcast for them, to a file.
// Write i sets key "w{i}" of a shared map to {seq: i}, the same record a Concord write puts. A second document
// applies each update in order, as the server's room document does, so its update event is byte for byte the
// update the server broadcasts: a receiver recognises write i by comparing frames.
// File: int32 count, then per write two length-prefixed (int32, little-endian) y-websocket messages: the one
// the writer sends and the one every connection of the room receives (sync message, update).
import { writeFileSync } from 'node:fs'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

const [path, countText] = process.argv.slice(2)
const count = Number(countText)
const writer = new Y.Doc()
const room = new Y.Doc()
const map = writer.getMap('bench')
let sent = null
let broadcast = null
writer.on('update', update => { sent = update })
room.on('update', update => { broadcast = update })

const chunks = [int32(count)]
for (let i = 0; i < count; i++) {
  map.set('w' + i, { seq: i })
  Y.applyUpdate(room, sent)
  for (const update of [sent, broadcast]) {
    const message = syncUpdate(update)
    chunks.push(int32(message.length), message)
  }
}
writeFileSync(path, Buffer.concat(chunks))

function syncUpdate (update) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0) // messageSync
  encoding.writeVarUint(encoder, 2) // messageYjsUpdate
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

function int32 (value) {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32LE(value)
  return buffer
}
