// The SPA's build: Vite's own oxc transform compiles the JSX (no React plugin), the dev server proxies /api to the
// API process, and pages that need ECharts or CodeMirror are lazy routes, so those libraries load only there.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // antd alone is several hundred KB before gzip; the budget that matters is the gzipped initial load (< 400 KB).
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      onwarn(warning, warn) {
        // antd marks its modules "use client" for React Server Components; a client-only bundle has no use for it.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' && warning.message.includes('use client')) return;
        warn(warning);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
