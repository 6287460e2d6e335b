import { describe, expect, it } from 'vitest'
import type { TraceEvent } from './event.ts'
import { eventDifferences, matchTraceSubsequence } from './match.ts'

let seq = 0
function e(op: string, phase: TraceEvent['phase'], more: Partial<TraceEvent> = {}): TraceEvent {
  seq++
  return {
    seq,
    time: seq * 10,
    process: 'explorer.exe',
    pid: 4,
    tid: 8,
    op,
    procmon: '',
    path: 'C:\\b.txt',
    at: 'fs',
    phase,
    flags: [],
    params: {},
    detail: '',
    ...more,
  }
}

const trace: TraceEvent[] = [
  e('IRP_MJ_CREATE', 'dispatch', { params: { CreateDisposition: 5, DesiredAccess: 0xc0000000 } }),
  e('IRP_MJ_CREATE', 'complete', { status: 'STATUS_SUCCESS', information: 2 }),
  e('IRP_MJ_WRITE', 'dispatch', { flags: ['IRP_NOCACHE', 'IRP_PAGING_IO', 'IRP_SYNCHRONOUS_PAGING_IO'], params: { ByteOffset: 0, Length: 4096 } }),
  e('IRP_MJ_WRITE', 'complete', { status: 'STATUS_SUCCESS', information: '18446744073709551615' }),
  e('IRP_MJ_CLEANUP', 'dispatch', { path: 'C:\\B.TXT' }),
]

describe('matchTraceSubsequence', () => {
  it('matches an ordered subsequence with the contract rules', () => {
    const r = matchTraceSubsequence(trace, [
      { fields: { op: 'IRP_MJ_CREATE', path: 'c:\\B.txt', status: 'STATUS_SUCCESS' } },
      { fields: { op: 'IRP_MJ_WRITE', flags: ['IRP_PAGING_IO', 'IRP_NOCACHE'], params: { Length: 4096 } } },
      { fields: { op: 'IRP_MJ_WRITE', status: 0, information: 18446744073709551615n } },
      { fields: { op: 'IRP_MJ_CLEANUP', path: 'C:\\b.txt' } },
    ])
    expect(r).toEqual({ ok: true, matched: [2, 3, 4, 5] })
  })

  it('compares status by name or number', () => {
    expect(eventDifferences(trace[1]!, { status: '0x00000000' })).toEqual([])
    expect(eventDifferences(trace[1]!, { status: 'STATUS_ACCESS_DENIED' })).toEqual(["status is 'STATUS_SUCCESS', not 'STATUS_ACCESS_DENIED'"])
  })

  it('names the first matcher not found and the closest events', () => {
    const r = matchTraceSubsequence(trace, [
      { fields: { op: 'IRP_MJ_CREATE', phase: 'complete' } },
      { fields: { op: 'IRP_MJ_WRITE', flags: ['IRP_NOCACHE'], params: { Length: 8192 } }, source: { file: 's.yaml', line: 40, col: 7 } },
    ])
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.index).toBe(1)
    expect(r.after).toBe(2)
    expect(r.message).toBe(
      [
        `s.yaml:40:7: expect.trace[1] { op: 'IRP_MJ_WRITE', flags: ["IRP_NOCACHE"], params: {"Length":8192} } was not found after event #2`,
        '  closest events:',
        '    #3 IRP_MJ_WRITE dispatch at fs C:\\b.txt: params.Length is 4096, not 8192',
        "    #4 IRP_MJ_WRITE complete at fs C:\\b.txt STATUS_SUCCESS: flags lack IRP_NOCACHE (have none); params.Length is missing (wanted 8192)",
      ].join('\n'),
    )
  })

  it('points out a match that comes too early', () => {
    const r = matchTraceSubsequence(trace, [{ fields: { op: 'IRP_MJ_CLEANUP' } }, { fields: { op: 'IRP_MJ_CREATE', phase: 'dispatch' } }])
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.message).toBe(
      [
        `expect.trace[1] { op: 'IRP_MJ_CREATE', phase: 'dispatch' } was not found after event #5`,
        '  (no events follow)',
        '  (event #1 matches, but it comes before event #5)',
      ].join('\n'),
    )
  })
})
