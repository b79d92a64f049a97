// The staff consoles' routes (/app/counter, /app/review, /app/pension, /app/bank, /app/operator), each lazy-loaded
// so that the citizen app's first load does not carry them. Each route's `meta.role` is the role the
// router's guard requires; `homeOf` (auth/session.ts) sends a signed-in member of staff to theirs.
import type { RouteRecordRaw } from 'vue-router'

export const consoleRoutes: RouteRecordRaw[] = [
  { path: '/counter', name: 'counter', component: () => import('./counter/CounterView.vue'), meta: { role: 'clerk', title: '窗口受理' } },
  {
    path: '/counter/cases/:caseId',
    name: 'counter-case',
    component: () => import('./counter/CounterCaseView.vue'),
    meta: { role: 'clerk', title: '窗口办件' },
  },
  { path: '/review', name: 'review-queue', component: () => import('./review/ReviewQueueView.vue'), meta: { role: 'reviewer', title: '人社审核' } },
  {
    path: '/review/:reviewId',
    name: 'review-detail',
    component: () => import('./review/ReviewDetailView.vue'),
    meta: { role: 'reviewer', title: '审核事项' },
  },
  {
    path: '/pension',
    name: 'pension',
    component: () => import('./review/PensionRequestsView.vue'),
    meta: { role: 'pension_system', title: '养老金发放账号变更' },
  },
  { path: '/bank', name: 'bank', component: () => import('./bank/BankCardsView.vue'), meta: { role: 'bank', title: '合作银行制卡' } },
  { path: '/operator', name: 'operator', component: () => import('./operator/CalendarView.vue'), meta: { role: 'operator', title: '运维 · 工作日历' } },
]
