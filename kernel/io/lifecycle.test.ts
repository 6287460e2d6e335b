import { describe, expect, it } from 'vitest'
import { KEvent, Scheduler } from '../ke/index.ts'
import { FileObject } from './file-object.ts'
import { createFileObjectActor } from './lifecycle.ts'

function fo(): FileObject {
  const ke = new Scheduler()
  const type = { name: 'File' }
  return new FileObject(type, 1, {} as never, '\\a.txt', ke, new KEvent(ke, 'notification'))
}

describe('FILE_OBJECT lifecycle', () => {
  it('goes creating → open → cleanedUp → closed and records its history', () => {
    const f = fo()
    f.transition({ type: 'CREATED' })
    f.note('cache initialized')
    f.note('cache initialized')
    f.transition({ type: 'CLEANUP' })
    f.note('paging write after cleanup')
    f.transition({ type: 'CLOSE' })
    expect(f.state).toBe('closed')
    expect(f.history.map((h) => `${h.event}:${h.from}->${h.to}`)).toEqual([
      'CREATED:creating->open',
      'cache initialized:open->open',
      'CLEANUP:open->cleanedUp',
      'paging write after cleanup:cleanedUp->cleanedUp',
      'CLOSE:cleanedUp->closed',
    ])
  })
  it('a reparsed or failed create is final', () => {
    const a = fo()
    a.transition({ type: 'REPARSED' })
    expect(a.state).toBe('reparsed')
    expect(() => a.transition({ type: 'CLEANUP' })).toThrow(/CLEANUP in state reparsed/)
  })
  it('I/O or a milestone on a closed file object is a bugcheck', () => {
    const f = fo()
    f.transition({ type: 'CREATED' })
    f.transition({ type: 'CLEANUP' })
    f.transition({ type: 'CLOSE' })
    expect(() => f.assertUsable('NtReadFile')).toThrow(/NtReadFile on file object FO#1/)
    expect(() => f.note('section created')).toThrow(/state closed/)
    expect(() => f.transition({ type: 'CLOSE' })).toThrow()
  })
  it('cleanup before create completes is illegal', () => {
    const a = createFileObjectActor()
    expect(a.getSnapshot().can({ type: 'CLEANUP' })).toBe(false)
    expect(a.getSnapshot().can({ type: 'NOTE', what: 'x' })).toBe(true)
  })
})
