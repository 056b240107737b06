import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { UI_CONTENT_SECURITY_POLICY } from './src/shared/constants';

/** The window's CSP as a <meta> in the built index.html: file:// loads in Electron carry no headers. */
const cspMeta = {
  name: 'outpost-csp-meta',
  apply: 'build' as const,
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: UI_CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' as const }],
};

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: { index: resolve('src/main/index.ts'), headless: resolve('src/main/headless.ts') },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      // Sandboxed preloads cannot be ES modules.
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // The one renderer build: `electron-vite build` (npm start, npm run build) and
  // scripts/build-renderer.mjs (headless, the e2e tests) both resolve this section.
  renderer: {
    root: resolve('src/renderer'),
    build: {
      // electron-vite leaves the renderer unminified by default; headless serves it over HTTP.
      minify: true,
      rolldownOptions: {
        input: resolve('src/renderer/index.html'),
        output: {
          // uPlot (the dashboard's charts) in its own chunk, so UI changes do not re-ship it.
          codeSplitting: { groups: [{ name: 'uplot', test: /[\\/]node_modules[\\/]uplot[\\/]/ }] },
        },
      },
    },
    plugins: [react(), cspMeta],
  },
});
