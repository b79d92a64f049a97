// At the counter: the answer to 建立办件 is lost (the case may be open all the same), then the clerk
// corrects the form and presses again. The lost open is settled first, sent again as it was: if it made
// a case, the clerk is sent to check that one — never a second case; if it was refused, nothing was
// opened and the corrected form goes as a new request.
import { flushPromises, mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

type Sent = { key: string | null; body: { contact: { phone: string } } }
let sent: Sent[] = []
let answer: (body: Sent['body']) => Response = () => new Response(null, { status: 500 })

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function network(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname
  if (path === '/matters') return json({ matters: [{ code: 'status_query', name: '社会保障卡状态查询', form_fields: [], time_limit_text: '即时办结' }] }, 200)
  if (path === '/banks') return json({ banks: [] }, 200)
  if (path === '/notice') return json({ version: '2023-1', title: '用户须知', sections: [] }, 200)
  const body = JSON.parse(await request.text()) as Sent['body']
  sent.push({ key: request.headers.get('Idempotency-Key'), body })
  return answer(body)
}

let NewCaseForm: Component

beforeAll(async () => {
  vi.stubGlobal('fetch', network)
  NewCaseForm = (await import('../../src/consoles/counter/NewCaseForm.vue')).default
})
afterAll(() => vi.unstubAllGlobals())
beforeEach(() => (sent = []))

async function filledForm() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/counter', name: 'counter', component: NewCaseForm },
      { path: '/counter/cases/:caseId', name: 'counter-case', component: { template: '<p/>' } },
    ],
  })
  await router.push('/counter')
  await router.isReady()
  const view = mount(NewCaseForm, { global: { plugins: [router] } })
  await flushPromises()
  // the form's state, as the clerk would have entered it
  const state = view.vm as unknown as {
    applicant: { name: string; id_number: string }
    contact: { phone: string; address: string }
    chosen: string[]
    agreed: boolean
    idCardChecked: boolean
  }
  Object.assign(state.applicant, { name: '杨光', id_number: '342701194503120069' })
  Object.assign(state.contact, { phone: '13905590002', address: '屯溪区新安北路18号' })
  state.chosen = ['status_query']
  state.agreed = true
  state.idCardChecked = true
  return { view, router, state }
}

async function press(view: ReturnType<typeof mount>): Promise<void> {
  await view.get('form').trigger('submit')
  await flushPromises()
}

describe('a counter open whose answer was lost, then corrected', () => {
  it('sends the lost open again as it was and, as it made a case, points to that case instead of opening a second', async () => {
    const { view, router, state } = await filledForm()
    answer = () => {
      throw new TypeError('Failed to fetch')
    }
    await press(view)
    expect(view.get('[data-testid="problem"]').text()).toContain('网络不可用')
    state.contact.phone = '13905590003' // corrected
    answer = () => json({ case_id: 'K-9' }, 201)
    await press(view)
    expect(sent).toHaveLength(2)
    expect(sent[1]).toEqual(sent[0]) // the same key with the same body: the case the lost open made
    expect(view.get('[data-testid="problem"]').text()).toContain('本次修改未保存')
    expect(view.get('[data-testid="opened-before"]').attributes('href')).toBe('/counter/cases/K-9')
    expect(router.currentRoute.value.fullPath).toBe('/counter')
    // pressed once more instead of following the link: still no second case
    await press(view)
    expect(sent).toHaveLength(2)
    expect(view.get('[data-testid="opened-before"]').attributes('href')).toBe('/counter/cases/K-9')
  })

  it('sends the corrected form as a new request once the lost open is refused as it was', async () => {
    const { view, router, state } = await filledForm()
    answer = () => {
      throw new TypeError('Failed to fetch')
    }
    await press(view)
    state.contact.phone = '13905590003'
    answer = (body) =>
      body.contact.phone === '13905590002' ? json({ status: 422, title: '请求内容有误', detail: '联系电话有误' }, 422) : json({ case_id: 'K-10' }, 201)
    await press(view)
    expect(sent.map((s) => s.body.contact.phone)).toEqual(['13905590002', '13905590002', '13905590003'])
    expect(sent[2]!.key).not.toBe(sent[0]!.key)
    expect(router.currentRoute.value.fullPath).toBe('/counter/cases/K-10')
  })
})
