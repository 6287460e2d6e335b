// What a scenario run keeps between steps: the machine, the handles steps named with `as:`.

import type { Machine } from '../../machine.ts'
import type { EProcess } from '../../ob/index.ts'
import type { ArgValue } from '../types.ts'
import { isHandle, StepError } from './values.ts'

export interface NamedHandle {
  readonly process: EProcess
  readonly value: number
}

export class RunContext {
  readonly handles = new Map<string, NamedHandle>()
  constructor(readonly machine: Machine) {}

  /** the handle value an argument stands for, in the step's process */
  handle(v: ArgValue | undefined, what: string, process: EProcess): number | undefined {
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number') return v
    if (!isHandle(v)) throw new StepError(`${what}: expected a handle`)
    if (v.value !== undefined) return v.value
    const named = this.handles.get(v.name!)
    if (!named) throw new StepError(`${what}: the handle '${v.name}' has not been opened (its step failed or has not run yet)`)
    if (named.process !== process) {
      throw new StepError(`${what}: the handle '${v.name}' belongs to ${named.process.imageName}, not ${process.imageName}`)
    }
    return named.value
  }

  name(as: string | undefined, process: EProcess, value: number | undefined): void {
    if (as && value !== undefined) this.handles.set(as, { process, value })
  }
}
