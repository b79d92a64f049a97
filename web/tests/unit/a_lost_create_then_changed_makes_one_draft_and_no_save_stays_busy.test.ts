// The citizen's form (FormView) and review (ReviewView): whatever a press ends in — an answer, a lost
// connection, an exception of the app's own — the button is pressable again; and a create whose answer
// was lost, then changed, ends as one draft with the changes (never a second draft, never a developer's
// "Idempotency-Key" message).
import { flushPromises, mount } from '@vue/test-utils'
import type { Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { application, startOver } from '../../src/citizen/application'
import { asProblem } from '../../src/api/client'

type Sent = { method: string; path: string; key: string | null; body: unknown }
let sent: Sent[] = []
let answer: (request: Request, body: unknown) => Response = () => json({}, 200)

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

async function network(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname
  if (request.method === 'GET' && path === '/matters') return json({ matters: [] }, 200)
  if (request.method === 'GET' && path === '/banks') return json({ banks: [] }, 200)
  const text = await request.text()
  const body = text ? JSON.parse(text) : null
  sent.push({ method: request.method, path, key: request.headers.get('Idempotency-Key'), body })
  return answer(request, body)
}

let FormView: Component
let ReviewView: Component
const Elsewhere = { template: '<p>elsewhere</p>' }

async function mountAt(path: string, view: Component) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/form', name: 'form', component: view },
      { path: '/review/:id', name: 'review', component: view },
      { path: '/materials/:id', name: 'materials', component: Elsewhere },
      { path: '/case/:id', name: 'case', component: Elsewhere },
      { path: '/notice', name: 'notice', component: Elsewhere },
    ],
  })
  await router.push(path)
  await router.isReady()
  const thrown: unknown[] = []
  const mounted = mount(view, { global: { plugins: [router], config: { errorHandler: (e) => void thrown.push(e) } } })
  await flushPromises()
  return { view: mounted, router, thrown }
}

function halfway(): void {
  startOver()
  application.agreed = true
  application.noticeVersion = '2023-1'
  application.matters = [{ code: 'status_query', form: {} }]
  application.contact = { phone: '13905590002', address: '黄山市屯溪区新安北路18号' }
}

beforeAll(async () => {
  vi.stubGlobal('fetch', network)
  FormView = (await import('../../src/citizen/FormView.vue')).default
  ReviewView = (await import('../../src/citizen/ReviewView.vue')).default
})
afterAll(() => vi.unstubAllGlobals())

describe('saving the form', () => {
  beforeEach(() => {
    sent = []
    halfway()
  })

  it('after a lost create and a change, finishes the lost create as it was sent, then puts the change onto that one case', async () => {
    const { view, router } = await mountAt('/form', FormView)
    answer = () => {
      throw new TypeError('Failed to fetch') // the case is made, the answer lost on the way back
    }
    await view.get('[data-testid="form-save"]').trigger('click')
    await flushPromises()
    expect(view.text()).toContain('网络不可用')
    const lost = sent[0]!

    application.contact.phone = '13905590003' // changed before pressing again
    answer = (request) => (request.method === 'POST' ? json({ case_id: 'c-1' }, 201) : json({ case_id: 'c-1' }, 200))
    sent = []
    await view.get('[data-testid="form-save"]').trigger('click')
    await flushPromises()
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /cases', 'PATCH /cases/c-1'])
    expect(sent[0]).toEqual(lost) // the same key with the same body: the API answers with the case it made
    expect((sent[1]!.body as { contact: { phone: string } }).contact.phone).toBe('13905590003')
    expect(router.currentRoute.value.fullPath).toBe('/materials/c-1')
    expect([application.caseId, application.createKey, application.createBody]).toEqual(['c-1', null, null])
  })

  it('after a lost create whose body the API refuses, sends the changed one as a new attempt', async () => {
    const { view, router } = await mountAt('/form', FormView)
    answer = () => {
      throw new TypeError('Failed to fetch')
    }
    await view.get('[data-testid="form-save"]').trigger('click')
    await flushPromises()
    application.contact.phone = '13905590003'
    sent = []
    answer = (_request, body) =>
      (body as { contact: { phone: string } }).contact.phone === '13905590002'
        ? json({ status: 422, title: '请求内容有误', errors: [{ field: 'contact.phone', code: 'invalid', message: '联系电话有误' }] }, 422)
        : json({ case_id: 'c-2' }, 201)
    await view.get('[data-testid="form-save"]').trigger('click')
    await flushPromises()
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /cases', 'POST /cases'])
    expect(sent[1]!.key).not.toBe(sent[0]!.key)
    expect(router.currentRoute.value.fullPath).toBe('/materials/c-2')
    expect(view.find('[data-testid="problem"]').exists()).toBe(false)
  })

  it('is pressable again after an exception of the app’s own', async () => {
    const { view, thrown } = await mountAt('/form', FormView)
    answer = () => {
      throw new RangeError('a bug of the app') // not the network's: thrown on, and the button freed
    }
    vi.spyOn(console, 'error').mockImplementation(() => {})
    await view.get('[data-testid="form-save"]').trigger('click')
    await flushPromises()
    expect(thrown).toHaveLength(1)
    expect(view.get('[data-testid="form-save"]').classes()).not.toContain('van-button--loading')
  })
})

describe('submitting the reviewed case', () => {
  beforeEach(() => (sent = []))

  it('is pressable again after an exception of the app’s own', async () => {
    const draft = { case_id: 'c-1', matters: [], applicant: { name: '杨*', id_number: '342701********0069' }, contact: { phone: '139****0002', address: '屯溪区' }, materials: [] }
    answer = (request) =>
      request.method === 'POST'
        ? (() => {
            throw new RangeError('a bug of the app')
          })()
        : json(draft, 200)
    const { view, thrown } = await mountAt('/review/c-1', ReviewView)
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const submit = view.get('[data-testid="submit"]')
    await submit.trigger('click')
    await flushPromises()
    expect(thrown).toHaveLength(1)
    expect(submit.classes()).not.toContain('van-button--loading')
  })
})

describe('a key sent again with another body', () => {
  it('is worded for the person, not the developer', () => {
    const problem = asProblem({ type: 'https://sscard.example.gov.cn/problems/idempotency-key-reused', title: '幂等键已用于其他请求', status: 422, detail: '该 Idempotency-Key 已用于内容不同的请求', errors: [{ field: 'Idempotency-Key', code: 'reused', message: '请为新的请求使用新的幂等键' }] }, 422)
    expect(problem.detail).toBe('这次提交的内容与上一次未完成的提交不同，未能办理，请再提交一次')
    expect(JSON.stringify(problem)).not.toMatch(/Idempotency|幂等/)
  })
})
