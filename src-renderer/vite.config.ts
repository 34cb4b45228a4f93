// Vite config of the renderer: relative asset paths (`base: './'`) so the same build works
// from Electron's app protocol and from the engine's 127.0.0.1 server; no inline scripts or
// styles in the output, so the strict CSP in index.html holds.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Vite resolves import.meta.dirname in config files (no node: import here: lint keeps this folder node-free).
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Inlined data: URLs for small assets would be fine (img-src data:), but keep one policy for all.
    assetsInlineLimit: 0,
    // Vite's modulepreload polyfill is an inline-free module, but the app has one chunk anyway.
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
});
