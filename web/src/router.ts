import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { hasRole, homeOf, isSignedIn, session, type Role } from './auth/session'
import { consoleRoutes } from './consoles/routes'
import { citizenRoutes } from './citizen/routes'

declare module 'vue-router' {
  interface RouteMeta {
    role?: Role // the role a screen needs; without it the guard sends the visitor to sign in
    title?: string // the screen's Chinese title (the document title and the top bar)
  }
}

export const routes: RouteRecordRaw[] = [
  ...citizenRoutes,
  { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { title: '登录' } },
  { path: '/signin/callback', name: 'signin-callback', component: () => import('./views/SignInCallback.vue'), meta: { title: '登录' } },
  ...consoleRoutes,
  { path: '/:unknown(.*)*', name: 'not-found', component: () => import('./views/NotFound.vue'), meta: { title: '页面不存在' } },
]

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach((to) => {
  const role = to.meta.role
  if (!role || hasRole(role)) return true
  // signed in, but a console of another role: to sign-in, saying whose screen it is (a citizen who
  // followed a clerk's link must not be silently dropped on their own home)
  if (isSignedIn() && role !== 'citizen') return { name: 'signin', query: { next: to.fullPath, denied: role } }
  if (isSignedIn()) return { path: homeOf(session.claims) } // signed in, but this screen is another role's
  return { name: 'signin', query: { next: to.fullPath } }
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 社会保障卡“一件事”` : '社会保障卡“一件事”'
})
