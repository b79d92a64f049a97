// The citizen's H5 app under /app/: each screen lazy-loaded (the first load stays small).
import type { RouteRecordRaw } from 'vue-router'

const citizen = { role: 'citizen' } as const

export const citizenRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./HomeView.vue'), meta: { ...citizen, title: '我要办社保卡' } },
  { path: '/notice', name: 'notice', component: () => import('./NoticeView.vue'), meta: { ...citizen, title: '用户须知' } },
  { path: '/choose', name: 'choose', component: () => import('./ChooseView.vue'), meta: { ...citizen, title: '选择办理事项' } },
  { path: '/prejudge', name: 'prejudge', component: () => import('./PrejudgeView.vue'), meta: { ...citizen, title: '条件预判' } },
  { path: '/form', name: 'form', component: () => import('./FormView.vue'), meta: { ...citizen, title: '填写信息' } },
  { path: '/cases', name: 'cases', component: () => import('./CasesView.vue'), meta: { ...citizen, title: '我的办件' } },
  { path: '/cases/:id', name: 'case', component: () => import('./CaseView.vue'), meta: { ...citizen, title: '办件详情' } },
  { path: '/cases/:id/materials', name: 'materials', component: () => import('./MaterialsView.vue'), meta: { ...citizen, title: '提交材料' } },
  { path: '/cases/:id/confirm', name: 'confirm', component: () => import('./ReviewView.vue'), meta: { ...citizen, title: '核对并提交' } },
]
