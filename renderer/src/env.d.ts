/// <reference types="svelte" />
/// <reference types="vite/client" />

import type { AltitudeBridge } from '../../main/electron/bridge.ts'

declare global {
  interface Window {
    /** present under Electron: the preload's bridge to the host */
    altitude?: AltitudeBridge
  }
}

export {}
