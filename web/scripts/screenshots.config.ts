import { defineConfig } from '@playwright/test'
import base from '../playwright.config'

// `make screenshots`: the browser suite's own local stack (a free port, a fresh store) and Chromium, but
// the picture walk of scripts/screens instead of the tests; two projects, the phone and the desktop.
export default defineConfig({
  ...base,
  testDir: 'screens',
  outputDir: '../test-results/screens',
  timeout: 240_000,
  projects: [
    { name: 'phone', use: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } },
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
  ],
})
