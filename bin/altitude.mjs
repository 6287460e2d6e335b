#!/usr/bin/env node
// The `altitude` command. Runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../main/cli/index.ts')
const code = await runCli(process.argv.slice(2))
// exit as soon as the output is flushed (the loader hooks thread would otherwise hold the
// process for a noticeable moment)
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
