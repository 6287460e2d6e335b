// The sandboxed preload (built as CommonJS): exposes exactly the contract's methods, plus
// the event subscription, through contextBridge. No Node or Electron object reaches the page.

import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { METHODS } from '../host/api.ts'
import type { Method, ResponseMessage } from '../host/api.ts'
import type { AltitudeBridge } from './bridge.ts'
import { BRIDGE_NAME, EVENT_CHANNEL, REQUEST_CHANNEL } from './channels.ts'

export function buildBridge(ipc: Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>): AltitudeBridge {
  let nextId = 1
  const call = {} as Record<Method, (params: unknown) => Promise<ResponseMessage>>
  for (const method of METHODS) {
    call[method] = (params: unknown) => ipc.invoke(REQUEST_CHANNEL, { id: nextId++, method, params }) as Promise<ResponseMessage>
  }
  return {
    call: Object.freeze(call) as AltitudeBridge['call'],
    onEvent(listener: (message: unknown) => void): () => void {
      const forward = (_event: IpcRendererEvent, message: unknown): void => listener(message)
      ipc.on(EVENT_CHANNEL, forward)
      return () => {
        ipc.removeListener(EVENT_CHANNEL, forward)
      }
    },
  }
}

contextBridge.exposeInMainWorld(BRIDGE_NAME, buildBridge(ipcRenderer))
