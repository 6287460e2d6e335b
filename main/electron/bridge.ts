// The shape of what the preload exposes as `window.altitude`: one function per contract
// method (each sends the request envelope and resolves with the response envelope), and an
// event subscription. The renderer validates everything it gets through it.

import type { Method, Params, ResponseMessage } from '../host/api.ts'

export interface AltitudeBridge {
  call: { readonly [M in Method]: (params: Params<M>) => Promise<ResponseMessage> }
  /** subscribes to contract events; returns the unsubscribe function */
  onEvent(listener: (message: unknown) => void): () => void
}
