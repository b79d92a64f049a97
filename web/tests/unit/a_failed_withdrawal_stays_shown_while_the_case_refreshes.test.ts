// The case page polls while the case moves. A withdrawal whose connection dropped must stay on screen
// while the polls go on — the person must know the case was not withdrawn — (a poll that gets through
// clears only its own problem); a poll's 网络不可用 goes once a poll gets through.
import { flushPromises, mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'

const moving = {
  case_id: 'c-1',
  status: 'processing',
  channel: 'online',
  created_at: '2026-12-01T01:00:00Z',
  submitted_at: '2026-12-01T01:05:00Z',
  matters: [{ code: 'status_query', name: '社会保障卡状态查询', status: 'in_progress', time_limit_text: '即时办结', due_at: null, result: null, reason: null }],
  timeline: [],
  notifications: [],
}

let polls: 'answer' | 'drop' = 'answer'

async function network(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname
  if (request.method === 'GET') {
    if (polls === 'drop') throw new TypeError('Failed to fetch')
    return new Response(JSON.stringify(moving), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }
  if (path === '/cases/c-1/withdraw') throw new TypeError('Failed to fetch') // the withdrawal's connection drops
  throw new Error(`unexpected ${request.method} ${path}`)
}

let CaseView: Component

beforeAll(async () => {
  vi.stubGlobal('fetch', network)
  CaseView = (await import('../../src/citizen/CaseView.vue')).default
})
afterAll(() => vi.unstubAllGlobals())
afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

async function openCase() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/case/:id', name: 'case', component: CaseView },
      { path: '/cases', name: 'cases', component: { template: '<p/>' } },
      { path: '/materials/:id', name: 'materials', component: { template: '<p/>' } },
      { path: '/choose', name: 'choose', component: { template: '<p/>' } },
    ],
  })
  await router.push('/case/c-1')
  await router.isReady()
  vi.useFakeTimers()
  const view = mount(CaseView, { global: { plugins: [router] }, attachTo: document.body })
  await vi.advanceTimersByTimeAsync(0)
  return view
}

const problems = (view: ReturnType<typeof mount>) => view.findAll('[data-testid="problem"]').map((p) => p.text())

describe('the case page', () => {
  it('keeps a failed withdrawal on screen while the polls go on', async () => {
    polls = 'answer'
    const view = await openCase()
    await view.get('[data-testid="withdraw"]').trigger('click')
    await vi.advanceTimersByTimeAsync(0)
    document.querySelector<HTMLElement>('.van-dialog__confirm')!.click()
    await vi.advanceTimersByTimeAsync(0)
    expect(problems(view)).toEqual(['网络不可用，请检查网络后重试'])
    await vi.advanceTimersByTimeAsync(5_000) // polls that get through
    expect(problems(view)).toEqual(['网络不可用，请检查网络后重试'])
    view.unmount()
  })

  it('clears a poll’s 网络不可用 once a poll gets through', async () => {
    polls = 'answer'
    const view = await openCase()
    polls = 'drop'
    await vi.advanceTimersByTimeAsync(1_600)
    expect(problems(view)).toEqual(['网络不可用，请检查网络后重试'])
    polls = 'answer'
    await vi.advanceTimersByTimeAsync(1_600)
    expect(problems(view)).toEqual([])
    view.unmount()
  })
})
