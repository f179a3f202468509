// Client to client through the y-websocket server: two Y.Docs, each with y-websocket's WebsocketProvider, in
// this one process (one clock). Times doc A's local change to the update event in which doc B has it, for
// changes paced apart, after a warm-up. Prints one JSON object: every latency in milliseconds, in order.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [url, countText, warmupText, intervalText] = process.argv.slice(2)
const count = Number(countText)
const warmup = Number(warmupText)
const interval = Number(intervalText)
const a = new Y.Doc()
const b = new Y.Doc()
const options = { WebSocketPolyfill: WebSocket, disableBc: true }
const providers = [new WebsocketProvider(url, 'client-latency', a, options), new WebsocketProvider(url, 'client-latency', b, options)]
await Promise.race([
  Promise.all(providers.map(p => new Promise(resolve => p.once('sync', resolve)))),
  new Promise((_resolve, reject) => setTimeout(() => reject(new Error('the providers did not sync within 30 s')), 30000))
])

const mapA = a.getMap('bench')
const mapB = b.getMap('bench')
let waiting = null
b.on('update', () => {
  if (waiting !== null && mapB.has(waiting.key)) {
    const done = waiting
    waiting = null
    done.resolve(performance.now() - done.started)
  }
})

const latencies = []
for (let i = 0; i < warmup + count; i++) {
  const key = 'c' + i
  const arrived = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`change ${i} did not arrive within 10 s`)), 10000)
    waiting = { key, started: 0, resolve: ms => { clearTimeout(timer); resolve(ms) } }
  })
  waiting.started = performance.now()
  mapA.set(key, { seq: i })
  const ms = await arrived
  if (i >= warmup) latencies.push(ms)
  await new Promise(resolve => setTimeout(resolve, interval))
}

console.log(JSON.stringify({ latencies }))
for (const p of providers) p.destroy()
process.exit(0)
