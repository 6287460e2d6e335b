import { describe, expect, it } from 'vitest'
import * as s from './schema.ts'

describe('schema', () => {
  const point = s.object({ x: s.integer({ min: 0 }), label: s.optional(s.string({ maxLength: 3 })), tags: s.array(s.oneOf(['a', 'b'] as const)) })

  it('accepts conforming values and reports the first problem with its path', () => {
    expect(s.validate(point, { x: 1, tags: ['a'] }).ok).toBe(true)
    expect(s.validate(point, { x: 1, label: 'abc', tags: [] }).ok).toBe(true)
    expect(s.validate(point, { x: 1.5, tags: [] })).toEqual({ ok: false, issue: { path: 'x', message: 'expected a safe integer, got number 1.5' } })
    expect(s.validate(point, { x: 1, tags: ['a', 'c'] })).toEqual({ ok: false, issue: { path: 'tags[1]', message: 'expected one of "a", "b", got "c"' } })
    expect(s.validate(point, { tags: [] })).toEqual({ ok: false, issue: { path: 'x', message: 'is required (an integer)' } })
    expect(s.validate(point, { x: 1, label: 'abcd', tags: [] })).toEqual({ ok: false, issue: { path: 'label', message: 'expected at most 3 characters, got 4' } })
  })

  it('rejects non-finite numbers and non-plain objects', () => {
    expect(s.number().check(Number.NaN, 'n')?.message).toBe('expected a finite number, got NaN')
    expect(s.object({}).check(new Date(), 'd')?.message).toBe('expected an object, got an object')
    expect(s.object({}).check([], 'd')?.message).toBe('expected an object, got an array')
  })

  it('json() refuses functions, bigints and runaway nesting', () => {
    expect(s.json().check({ a: [1, 'x', null, { b: true }] }, '')).toBeUndefined()
    expect(s.json().check({ a: 1n }, '')?.path).toBe('a')
    expect(s.json().check({ f: () => 1 }, '')?.path).toBe('f')
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = [deep]
    expect(s.json().check(deep, 'v')?.message).toMatch(/nested deeper than 32/)
  })

  it('nullable and literal', () => {
    const n = s.nullable(s.literal(true))
    expect(n.check(null, '')).toBeUndefined()
    expect(n.check(true, '')).toBeUndefined()
    expect(n.check(false, 'v')?.message).toBe('expected true, got boolean false')
  })
})
