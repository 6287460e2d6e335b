import { describe, expect, it } from 'vitest'
import { ScenarioError } from './errors.ts'
import { parseScenario } from './parse.ts'
import type { FltmcStep } from './types.ts'

function problems(text: string): string {
  try {
    parseScenario(text, 's.yaml')
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError)
    return (e as ScenarioError).message
  }
  throw new Error('expected the scenario to be refused')
}

describe('fltmc: steps', () => {
  it('parse into a command run by fltmc.exe with its arguments', () => {
    const s = parseScenario("steps:\n  - fltmc: attach\n    args: { filter: passthrough, volume: 'C:', altitude: 370030 }\n    expect: { status: STATUS_SUCCESS }\n", 's.yaml')
    const step = s.steps[0] as FltmcStep
    expect(step.kind).toBe('fltmc')
    expect(step.command).toBe('attach')
    expect(step.process).toBe('fltmc.exe')
    expect(step.args['filter']).toBe('passthrough')
    expect(step.expect?.status).toBe(0)
  })

  it('an unknown command names the ones there are, with the line', () => {
    expect(problems('steps:\n  - fltmc: attack\n    args: { filter: x }\n')).toMatch(/s\.yaml:2:\d+: steps\[0\]\.fltmc: .*attack.*(attach|filters)/)
  })

  it('a command that needs a filter says so', () => {
    expect(problems("steps:\n  - fltmc: detach\n    args: { volume: 'C:' }\n")).toMatch(/fltmc detach needs args: \{ filter: <name> \}/)
  })

  it('a fltmc step returns no handle', () => {
    expect(problems('steps:\n  - fltmc: filters\n    as: x\n')).toMatch(/a fltmc step returns no handle/)
  })
})
