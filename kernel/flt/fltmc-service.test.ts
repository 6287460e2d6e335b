import { describe, expect, it } from 'vitest'
import { bootMachine } from './test-support.ts'
import { serviceOutput } from './user/service.ts'

describe('fltmc load starts a filter\'s user-mode program', () => {
  it('scanner comes with scanuser.exe connected and ready', () => {
    const m = bootMachine()
    const r = m.fltmc.load('scanner')
    expect(r.statusName).toBe('STATUS_SUCCESS')
    expect(r.message).toBeUndefined()
    expect(m.info().processes.map((p) => p.name.toLowerCase())).toContain('scanuser.exe')
    expect(serviceOutput(m.ke, 'scanuser.exe')?.isReady).toBe(true)
  })

  it('not when asked not to (scenarios start programs themselves, or not with service: false)', () => {
    const m = bootMachine()
    expect(m.fltmc.load('scanner', undefined, { startService: false }).statusName).toBe('STATUS_SUCCESS')
    expect(serviceOutput(m.ke, 'scanuser.exe')).toBeUndefined()
  })
})
