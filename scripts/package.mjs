#!/usr/bin/env node
// npm run package [-- electron-builder options, e.g. --linux AppImage]
// Builds the app and packages it with electron-builder --config electron.builder.yml.
//
// better-sqlite3 must be compiled for Electron's ABI inside the package, which needs the
// Electron headers from the network. Two things are taken care of here:
// - a `nodedir` npm setting (e.g. nodedir=/usr in ~/.npmrc) would make that rebuild quietly
//   use the local Node's headers and produce a module Electron cannot load; it is removed
//   from the rebuild's environment, so the rebuild either uses Electron's headers or fails;
// - the rebuild happens in node_modules, so afterwards the Node build is restored for the
//   tests and the CLI.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' })
  return r.status ?? 1
}

function sqliteLoadsInNode() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' })
  return r.status === 0
}

if (run(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']) !== 0) {
  console.error('npm run package: the build failed')
  process.exit(1)
}

const env = { ...process.env }
for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key]
env['npm_config_nodedir'] = ''

const builder = join(root, 'node_modules', 'electron-builder', 'cli.js')
const code = run(process.execPath, [builder, '--config', 'electron.builder.yml', '--publish', 'never', ...process.argv.slice(2)], env)

if (!sqliteLoadsInNode()) {
  console.error('Restoring the Node build of better-sqlite3 for tests and the CLI (npm rebuild better-sqlite3)…')
  run(npm, ['rebuild', 'better-sqlite3'])
}
if (code !== 0) {
  console.error(
    'npm run package: electron-builder failed. Packaging downloads Electron and its headers (to build better-sqlite3 for Electron); ' +
      'run it where github.com is reachable.',
  )
  process.exit(code)
}
console.log('Packages are in dist/.')
