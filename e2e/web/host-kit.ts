// Helpers for the web suites: the host's URL from the global setup, and a Node-side client
// that talks to the host the way the app page does (same Origin, same token).

import WebSocket from 'ws'

export function hostUrl(): URL {
  const raw = process.env['ALTITUDE_E2E_URL']
  if (raw === undefined) throw new Error('ALTITUDE_E2E_URL is not set: the global setup did not start the web host')
  return new URL(raw)
}

/** Sends one request as the app would and resolves with the response envelope. */
export async function hostCall(method: string, params: unknown = {}): Promise<Record<string, unknown>> {
  const url = hostUrl()
  const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token') ?? ''}`, { origin: url.origin })
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (data: WebSocket.RawData) => {
        const m = JSON.parse(data.toString()) as Record<string, unknown>
        if (m['id'] === 1) resolve(m)
      })
    })
    ws.send(JSON.stringify({ id: 1, method, params }))
    return await reply
  } finally {
    ws.close()
  }
}
