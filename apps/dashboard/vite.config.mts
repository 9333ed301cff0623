// Built by `npm run build:dashboard` from the repository root; the gateway serves the result at /dashboard.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: '/dashboard/',
  plugins: [preact()],
  build: {
    outDir: new URL('../../dist/apps/dashboard', import.meta.url).pathname,
    emptyOutDir: true,
    // The page runs under a CSP without 'unsafe-inline': no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
