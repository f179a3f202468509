// The y-websocket server of @y/websocket-server, started as its own bin (src/server.js) starts it: an HTTP server
// whose upgrades go to setupWSConnection, one shared Y.Doc per room (the path). Two changes, both only for the
// benchmark: it listens on 127.0.0.1 at a free port and prints that port, and it uses the current ws release
// (with bufferutil when installed) instead of the ws 6 the bin pins, so the baseline runs at its fastest.
// Yjs comes in as its ES module build through the package's own imports.
import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const host = process.argv[2] ?? '127.0.0.1'
const wss = new WebSocketServer({ noServer: true })
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain' })
  response.end('okay')
})

wss.on('connection', setupWSConnection)
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, ws => wss.emit('connection', ws, request))
})
server.listen(0, host, () => {
  console.log(`yjs listening on http://${host}:${server.address().port}`)
})
