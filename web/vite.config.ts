import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is served by the Lockstep server itself (see src/http/app.ts), which
// serves dist/web and falls back to index.html for client-side routes.
// `npx vite --config web/vite.config.ts` runs a dev server that proxies the API
// to a Lockstep server on :3000 (override with LOCKSTEP_API).
const api = process.env.LOCKSTEP_API ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  // The wire contract (src/http/contract) is shared with the server: the UI imports its
  // types (`import type`, erased) and its enums (@contract/enums, plain arrays), never zod
  // or server code.
  resolve: { alias: { '@contract': fileURLToPath(new URL('../src/http/contract', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': api, '/health': api, '/docs': api },
    // The dev server may read the contract next to the web folder.
    fs: { allow: ['..'] },
  },
});
