// Chooses the transport: the Electron preload's bridge when it is there, else the web host's
// WebSocket.

import type { HostClient } from './client.ts'
import { IpcClient } from './ipc-client.ts'
import { WebSocketClient, socketUrl } from './ws-client.ts'

export function connectHost(win: Window = window): HostClient {
  if (win.altitude !== undefined) return new IpcClient(win.altitude)
  return new WebSocketClient(socketUrl(win.location))
}
