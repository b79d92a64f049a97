// A phone on a flaky network: when the connection drops, openapi-fetch throws. The app's client turns
// that into an answer of status 0 for every method, so no screen waits forever on a call that failed.
import { describe, expect, it } from 'vitest'
import { asProblem, createApi, keepsIdempotencyKey } from '../../src/api/client'

const dropped = () => Promise.reject(new TypeError('Failed to fetch'))

describe('a client whose connection drops', () => {
  const api = createApi({ baseUrl: 'http://localhost', fetch: dropped })

  it('answers status 0 with no data through every method, which reads as 网络不可用', async () => {
    const caseId = { params: { path: { case_id: 'c-1' } } }
    const answers = await Promise.all([
      api.GET('/cases/{case_id}', caseId),
      api.POST('/cases/{case_id}/withdraw', caseId),
      api.PUT('/admin/calendar/{year}', { params: { path: { year: 2027 } }, body: { holidays: [], notice: '国办发明电〔2026〕1号' } }),
      api.PATCH('/cases/{case_id}', { ...caseId, body: { contact: null, matters: null } }),
      api.DELETE('/cases/{case_id}', caseId),
    ])
    for (const answer of answers) {
      expect(answer.data).toBeUndefined()
      expect(answer.response.status).toBe(0)
      expect(answer.response.ok).toBe(false)
      expect(asProblem(answer.error, answer.response.status).detail).toBe('网络不可用，请检查网络后重试')
    }
  })

  it('still hands an answer through as the API gave it', async () => {
    const answering = createApi({
      baseUrl: 'http://localhost',
      fetch: async () => new Response(JSON.stringify({ title: '案件不存在', status: 404 }), { status: 404, headers: { 'Content-Type': 'application/problem+json' } }),
    })
    const { data, error, response } = await answering.GET('/cases/{case_id}', { params: { path: { case_id: 'c-9' } } })
    expect(data).toBeUndefined()
    expect(response.status).toBe(404)
    expect(asProblem(error, response.status).title).toBe('案件不存在')
  })
})

describe('a create or a submit that got no case back', () => {
  it('keeps its Idempotency-Key when no answer came or the first attempt is still under way', () => {
    expect(keepsIdempotencyKey(0, asProblem(null, 0))).toBe(true)
    expect(keepsIdempotencyKey(409, { type: 'https://sscard.example.gov.cn/problems/in-progress', status: 409 })).toBe(true)
    for (const status of [502, 503, 504]) expect(keepsIdempotencyKey(status, asProblem(null, status))).toBe(true) // the gateway gave up waiting
  })

  it('gets a new key after any other answer', () => {
    expect(keepsIdempotencyKey(409, { type: 'https://sscard.example.gov.cn/problems/conflict', status: 409 })).toBe(false)
    expect(keepsIdempotencyKey(422, { title: '请求内容有误', status: 422 })).toBe(false)
    expect(keepsIdempotencyKey(500, asProblem(null, 500))).toBe(false)
  })
})
