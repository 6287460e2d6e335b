import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { cspMeta } from './main/security/csp.ts'

const root = import.meta.dirname

/** Puts the one Content-Security-Policy (main/security/csp.ts) into index.html. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'altitude-csp',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: cspMeta() }, injectTo: 'head-prepend' }],
    },
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/electron/index.ts'),
          // the kernel runs in a worker thread started from out/main/kernel-worker.js
          'kernel-worker': resolve(root, 'main/host/kernel-worker.ts'),
        },
        // shared chunks sit next to the entries, so `./kernel-worker.js` resolves from any of them
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'main/electron/preload.ts') },
        // sandboxed preloads must be CommonJS; .cjs because package.json has "type": "module"
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte(), contentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
})
