// The IPC channels between Electron main and the preload, and the name of the bridge the
// preload exposes to the renderer. Both ends import these; nothing else crosses.

export const REQUEST_CHANNEL = 'altitude:request'
export const EVENT_CHANNEL = 'altitude:event'
export const BRIDGE_NAME = 'altitude'
