// The citizen's H5 app under /app/: each screen lazy-loaded (the first load stays small).
import type { RouteRecordRaw } from 'vue-router'

const citizen = { role: 'citizen' } as const

export const citizenRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./HomeView.vue'), meta: { ...citizen, title: '我要办社保卡' } },
]
