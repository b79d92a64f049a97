/// <reference types="vitest/config" />
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The app lives under /app/ on the API's own origin (the API keeps the root paths).
export default defineConfig({
  base: '/app/',
  plugins: [vue()],
  build: {
    target: 'es2022',
    // no inline scripts or eval: the CSP is script-src 'self'
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` against `make run` on port 8000
    proxy: Object.fromEntries(
      ['/notice', '/matters', '/banks', '/scenarios', '/prejudge', '/cases', '/dev', '/counter', '/reviews', '/bank', '/pension', '/admin', '/audit', '/health', '/app/config.json'].map(
        (p) => [p, 'http://127.0.0.1:8000'],
      ),
    ),
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts'],
  },
})
