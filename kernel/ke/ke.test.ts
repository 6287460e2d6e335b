import { describe, expect, it } from 'vitest'
import { STATUS } from '../nt/status.ts'
import {
  BugCheck,
  BUGCODE,
  DISPATCH_LEVEL,
  EResource,
  FastMutex,
  KEvent,
  KMutex,
  KSemaphore,
  KTimer,
  KeDelayExecutionThread,
  KePreemptionPoint,
  KeRaiseIrql,
  KeWaitForMultipleObjects,
  KeWaitForSingleObject,
  Prng,
  ReplayStrategy,
  RunToBlockStrategy,
  Scheduler,
  SystemWorkQueues,
  type Co,
} from './index.ts'

const proc = { pid: 4, imageName: 'System' }

describe('Prng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = new Prng(7), b = new Prng(7), c = new Prng(8)
    const sa = Array.from({ length: 5 }, () => a.nextU32())
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(sa)
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(sa)
  })
  it('nextInt stays in range', () => {
    const p = new Prng(1)
    for (let i = 0; i < 1000; i++) {
      const x = p.nextInt(3)
      expect(x >= 0 && x < 3).toBe(true)
    }
  })
})

describe('events and waits', () => {
  it('a notification event releases every waiter; a synchronization event one at a time', () => {
    const ke = new Scheduler({ strategy: new RunToBlockStrategy() })
    const n = new KEvent(ke, 'notification')
    const s = new KEvent(ke, 'synchronization')
    const log: string[] = []
    for (const name of ['a', 'b']) {
      ke.createThread(proc, name, function* () {
        yield* KeWaitForSingleObject(n)
        log.push(`${name}:n`)
        yield* KeWaitForSingleObject(s)
        log.push(`${name}:s`)
      })
    }
    expect(ke.runUntil(() => false)).toBe('blocked')
    expect(log).toEqual([])
    n.set()
    ke.runUntil(() => false)
    expect(log).toEqual(['a:n', 'b:n'])
    s.set()
    ke.runUntil(() => false)
    expect(log).toEqual(['a:n', 'b:n', 'a:s'])
    expect(s.isSet).toBe(false) // auto-reset by the satisfied wait
    s.set()
    ke.runUntil(() => false)
    expect(log).toEqual(['a:n', 'b:n', 'a:s', 'b:s'])
  })

  it('a wait with a timeout returns STATUS_TIMEOUT at the right virtual time', () => {
    const ke = new Scheduler()
    const e = new KEvent(ke, 'notification')
    let status = -1, at = -1
    ke.createThread(proc, 't', function* () {
      status = yield* KeWaitForSingleObject(e, 5_000_000)
      at = ke.now
    })
    expect(ke.runUntil(() => status !== -1)).toBe('done')
    expect(status).toBe(STATUS.STATUS_TIMEOUT)
    expect(at).toBe(5_000_000)
  })

  it('a zero timeout only tests the object', () => {
    const ke = new Scheduler()
    const e = new KEvent(ke, 'notification')
    const r: number[] = []
    ke.createThread(proc, 't', function* () {
      r.push(yield* KeWaitForSingleObject(e, 0))
      e.set()
      r.push(yield* KeWaitForSingleObject(e, 0))
    })
    ke.runUntil(() => false)
    expect(r).toEqual([STATUS.STATUS_TIMEOUT, STATUS.STATUS_SUCCESS])
  })

  it('WaitAny returns the index of the signalled object; WaitAll needs every object', () => {
    const ke = new Scheduler()
    const a = new KEvent(ke, 'notification'), b = new KEvent(ke, 'notification')
    const r: number[] = []
    ke.createThread(proc, 'any', function* () {
      r.push(yield* KeWaitForMultipleObjects([a, b], false))
    })
    ke.createThread(proc, 'all', function* () {
      r.push(100 + (yield* KeWaitForMultipleObjects([a, b], true)))
    })
    ke.runUntil(() => false)
    b.set()
    ke.runUntil(() => false)
    expect(r).toEqual([1])
    a.set()
    ke.runUntil(() => false)
    expect(r).toEqual([1, 100])
  })

  it('semaphores count and mutexes are recursive for their owner', () => {
    const ke = new Scheduler({ strategy: new RunToBlockStrategy() })
    const sem = new KSemaphore(ke, 1, 2)
    const m = new KMutex(ke, 'm')
    const log: string[] = []
    ke.createThread(proc, 'a', function* () {
      yield* KeWaitForSingleObject(sem)
      yield* KeWaitForSingleObject(m)
      yield* KeWaitForSingleObject(m)
      log.push('a owns m twice')
      yield* KeDelayExecutionThread(10)
      m.release(ke.currentThread)
      log.push('a released once')
      yield* KeDelayExecutionThread(10)
      m.release(ke.currentThread)
    })
    ke.createThread(proc, 'b', function* () {
      const st = yield* KeWaitForSingleObject(sem, 0)
      log.push(st === STATUS.STATUS_TIMEOUT ? 'b: semaphore empty' : 'b: got semaphore')
      yield* KeWaitForSingleObject(m)
      log.push('b owns m')
    })
    ke.runUntil(() => false)
    expect(log).toEqual(['a owns m twice', 'b: semaphore empty', 'a released once', 'b owns m'])
  })

  it('releasing a mutex the thread does not own is a bugcheck', () => {
    const ke = new Scheduler()
    const m = new KMutex(ke, 'm')
    ke.createThread(proc, 't', function* () {
      m.release(ke.currentThread)
    })
    expect(ke.runUntil(() => false)).toBe('bugcheck')
    expect(ke.bugcheck?.code).toBe(BUGCODE.MUTEX_NOT_OWNED)
  })

  it('timers signal at their due time and periodic timers re-arm', () => {
    const ke = new Scheduler()
    const t = new KTimer(ke, 'synchronization', 'tick')
    const hits: number[] = []
    let dpcs = 0
    t.set(1000, 1000, () => dpcs++)
    ke.createThread(proc, 'w', function* () {
      for (let i = 0; i < 3; i++) {
        yield* KeWaitForSingleObject(t)
        hits.push(ke.now)
      }
      t.cancel()
    })
    ke.runUntil(() => hits.length === 3)
    expect(hits).toEqual([1000, 2000, 3000])
    expect(dpcs).toBe(3)
  })
})

describe('IRQL', () => {
  it('blocking at DISPATCH_LEVEL is a bugcheck', () => {
    const ke = new Scheduler()
    const e = new KEvent(ke, 'notification')
    ke.createThread(proc, 't', function* () {
      KeRaiseIrql(ke, DISPATCH_LEVEL)
      yield* KeWaitForSingleObject(e)
    })
    expect(ke.runUntil(() => false)).toBe('bugcheck')
    expect(ke.bugcheck).toBeInstanceOf(BugCheck)
    expect(ke.bugcheck?.code).toBe(BUGCODE.IRQL_NOT_LESS_OR_EQUAL)
  })
  it('a thread at DISPATCH_LEVEL is not preempted at preemption points', () => {
    const ke = new Scheduler({ seed: 3 })
    const log: string[] = []
    ke.createThread(proc, 'hi', function* () {
      KeRaiseIrql(ke, DISPATCH_LEVEL)
      for (let i = 0; i < 20; i++) {
        log.push('hi')
        yield* KePreemptionPoint()
      }
      ke.currentThread.irql = 0
    })
    ke.createThread(proc, 'lo', function* () {
      log.push('lo')
    })
    ke.runUntil(() => false)
    // 'lo' can only run before 'hi' starts or after it lowers its IRQL
    const first = log.indexOf('lo')
    expect(first === 0 || first === 20).toBe(true)
  })
  it('an exception in a thread becomes a bugcheck naming the thread', () => {
    const ke = new Scheduler()
    ke.createThread(proc, 'boom', function* () {
      yield* KePreemptionPoint()
      throw new Error('filter blew up')
    })
    expect(ke.runUntil(() => false)).toBe('bugcheck')
    expect(ke.bugcheck?.message).toContain('boom')
    expect(ke.bugcheck?.message).toContain('filter blew up')
  })
})

describe('ERESOURCE', () => {
  function setup(acquire: (r: EResource) => Co<boolean>) {
    const ke = new Scheduler({ strategy: new RunToBlockStrategy() })
    const r = new EResource(ke, 'Fcb->Resource')
    const log: string[] = []
    const gate = new KEvent(ke, 'notification')
    ke.createThread(proc, 'sharedOwner', function* () {
      yield* r.acquireShared()
      log.push('s1 shared')
      yield* KeWaitForSingleObject(gate)
      r.release()
      log.push('s1 released')
    })
    ke.createThread(proc, 'exclusiveWaiter', function* () {
      yield* r.acquireExclusive()
      log.push('x exclusive')
      r.release()
    })
    ke.createThread(proc, 'lateShared', function* () {
      yield* acquire(r)
      log.push('s2 shared')
      r.release()
    })
    ke.runUntil(() => false)
    const before = [...log]
    gate.set()
    ke.runUntil(() => false)
    return { before, after: log }
  }
  it('ExAcquireResourceSharedLite waits behind an exclusive waiter', () => {
    const { before, after } = setup((r) => r.acquireShared())
    expect(before).toEqual(['s1 shared'])
    expect(after).toEqual(['s1 shared', 's1 released', 'x exclusive', 's2 shared'])
  })
  it('ExAcquireSharedStarveExclusive does not', () => {
    const { before } = setup((r) => r.acquireSharedStarveExclusive())
    expect(before).toEqual(['s1 shared', 's2 shared'])
  })
  it('no-wait acquisition fails instead of blocking', () => {
    const ke = new Scheduler()
    const r = new EResource(ke, 'r')
    const got: boolean[] = []
    ke.createThread(proc, 'a', function* () {
      got.push(yield* r.acquireExclusive())
      yield* KeDelayExecutionThread(100)
      r.release()
    })
    ke.createThread(proc, 'b', function* () {
      got.push(yield* r.acquireShared(false))
    })
    ke.runUntil(() => false)
    expect(got.sort()).toEqual([false, true])
  })
  it('a deadlock leaves threads blocked with a readable wait chain', () => {
    const ke = new Scheduler()
    const a = new EResource(ke, 'A'), b = new EResource(ke, 'B')
    ke.createThread(proc, 't1', function* () {
      yield* a.acquireExclusive()
      yield* KeDelayExecutionThread(10)
      yield* b.acquireExclusive()
    })
    ke.createThread(proc, 't2', function* () {
      yield* b.acquireExclusive()
      yield* KeDelayExecutionThread(10)
      yield* a.acquireExclusive()
    })
    expect(ke.runUntil(() => false)).toBe('blocked')
    const chains = ke.waitChains()
    expect(chains).toHaveLength(2)
    expect(chains[0]!.reason).toContain('ERESOURCE')
    expect(chains.flatMap((c) => c.objects.flatMap((o) => o.owners))).toHaveLength(2)
  })
  it('releasing a resource that is not owned is a bugcheck', () => {
    const ke = new Scheduler()
    const r = new EResource(ke, 'r')
    ke.createThread(proc, 't', function* () {
      r.release()
    })
    ke.runUntil(() => false)
    expect(ke.bugcheck?.code).toBe(BUGCODE.RESOURCE_NOT_OWNED)
  })
  it('a fast mutex raises to APC_LEVEL while held', () => {
    const ke = new Scheduler()
    const m = new FastMutex(ke, 'fm')
    const irqls: number[] = []
    ke.createThread(proc, 't', function* () {
      yield* m.acquire()
      irqls.push(ke.currentThread.irql)
      m.release()
      irqls.push(ke.currentThread.irql)
    })
    ke.runUntil(() => false)
    expect(irqls).toEqual([1, 0])
  })
})

describe('determinism', () => {
  function interleave(seed: number, strategy?: ReplayStrategy) {
    const ke = new Scheduler({ seed, strategy })
    const log: string[] = []
    for (const name of ['a', 'b', 'c']) {
      ke.createThread(proc, name, function* () {
        for (let i = 0; i < 5; i++) {
          log.push(name + i)
          yield* KePreemptionPoint()
        }
      })
    }
    ke.runUntil(() => false)
    return { log: log.join(' '), decisions: ke.decisions }
  }
  it('the same seed gives the same interleaving', () => {
    expect(interleave(11).log).toBe(interleave(11).log)
  })
  it('different seeds give different interleavings', () => {
    const seen = new Set([1, 2, 3, 4, 5, 6].map((s) => interleave(s).log))
    expect(seen.size).toBeGreaterThan(3)
  })
  it('a recorded decision log replays exactly', () => {
    const first = interleave(42)
    const replay = interleave(999, new ReplayStrategy(first.decisions, new RunToBlockStrategy()))
    expect(replay.log).toBe(first.log)
  })
})

describe('system worker queues', () => {
  it('run queued items in System threads in FIFO order', () => {
    const ke = new Scheduler({ strategy: new RunToBlockStrategy() })
    const wq = new SystemWorkQueues(ke, proc, { CriticalWorkQueue: 1, DelayedWorkQueue: 1, HyperCriticalWorkQueue: 0 })
    const log: string[] = []
    ke.createThread(proc, 'driver', function* () {
      for (const n of ['one', 'two', 'three']) {
        wq.queue({
          name: n,
          routine: function* () {
            log.push(`${n}@${ke.currentThread.name}`)
          },
        })
      }
    })
    ke.runUntil(() => false)
    expect(log).toEqual(['one@DelayedWorkQueue worker 0', 'two@DelayedWorkQueue worker 0', 'three@DelayedWorkQueue worker 0'])
    expect(wq.pending).toBe(0)
  })
})
