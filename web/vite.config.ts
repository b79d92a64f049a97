/// <reference types="vitest/config" />
import vue from '@vitejs/plugin-vue'
import { defineConfig, type Plugin } from 'vite'

// The app lives under /app/ on the API's own origin (the API keeps the root paths).
// Vant's icon font is inlined (woff2 as a data: URL) with a woff fallback on alicdn.com: the app
// loads nothing from another origin (the CSP would refuse it, and government networks may block it).
const iconFontOffline: Plugin = {
  name: 'vant-icon-font-offline',
  enforce: 'pre',
  transform(code, id) {
    if (!id.includes('/vant/') || !id.endsWith('.css')) return null
    return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("[a-z]+"\)/g, '')
  },
}

export default defineConfig({
  base: '/app/',
  plugins: [vue(), iconFontOffline],
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
