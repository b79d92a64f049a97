// A call that got no answer — the connection dropped, or stalled in a lift — must end, and end as a
// failure every call site sees (a DELETE answers 204 with no data: `error` is what tells it apart);
// an exception of the app's own is not the network's and is not worded as 网络不可用.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { asProblem, createApi } from '../../src/api/client'
import { UPLOAD_STALL_MS, uploadFile } from '../../src/citizen/upload'

const caseId = { params: { path: { case_id: 'c-1' } } }

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('a call whose connection drops', () => {
  it('answers with the 网络不可用 problem as its error and a status-0 response that is no Response', async () => {
    const api = createApi({ baseUrl: 'http://localhost', fetch: () => Promise.reject(new TypeError('Failed to fetch')) })
    const answer = await api.DELETE('/cases/{case_id}', caseId)
    expect(answer.error).toEqual({ status: 0, detail: '网络不可用，请检查网络后重试' }) // a site checking `if (error)` sees the failure
    expect(answer.response).toEqual({ status: 0, ok: false })
    expect(answer.response).not.toBeInstanceOf(Response)
    expect(asProblem(answer.error, answer.response.status).detail).toBe('网络不可用，请检查网络后重试')
  })
})

describe('a call whose connection stalls', () => {
  it('is stopped at the deadline and ends as 网络不可用', async () => {
    vi.useFakeTimers()
    // a connection that never answers, until the request is aborted
    const stalled = (_request: Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError'))))
    const api = createApi({ baseUrl: 'http://localhost', fetch: stalled as typeof fetch }, 30_000)
    let ended = false
    const call = api.POST('/cases/{case_id}/withdraw', caseId).finally(() => (ended = true))
    await vi.advanceTimersByTimeAsync(29_000)
    expect(ended).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000)
    const answer = await call
    expect(answer.data).toBeUndefined()
    expect(answer.response.status).toBe(0)
    expect(asProblem(answer.error, answer.response.status).detail).toBe('网络不可用，请检查网络后重试')
  })
})

describe('an answer that is not the API’s', () => {
  it('is no answer: a captive portal’s page on station wifi ends as 网络不可用', async () => {
    // an OK answer whose body is no JSON: reading it throws a SyntaxError
    const api = createApi({ baseUrl: 'http://localhost', fetch: async () => new Response('<html>', { status: 200, headers: { 'Content-Type': 'application/json' } }) })
    const answer = await api.GET('/cases/{case_id}', caseId)
    expect(answer.response.status).toBe(0)
    expect(answer.data).toBeUndefined()
  })
})

describe('a call that fails in the app, not on the network', () => {
  it('is logged and thrown on, not answered as 网络不可用', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const api = createApi({ baseUrl: 'http://localhost', fetch: async () => { throw new RangeError('a bug of the app') } })
    await expect(api.GET('/cases/{case_id}', caseId)).rejects.toBeInstanceOf(RangeError)
    expect(logged).toHaveBeenCalledOnce()
  })
})

/** An XMLHttpRequest whose upload goes as the test says, and whose answer never comes. */
class StalledUpload {
  static last: StalledUpload
  timeout = 0
  status = 0
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  ontimeout: (() => void) | null = null
  constructor() {
    StalledUpload.last = this
  }
  open(): void {}
  send(): void {}
}

describe('an upload whose connection stalls', () => {
  it('ends as a failed upload to redo, worded in Chinese; a moving upload gets more time', async () => {
    vi.stubGlobal('XMLHttpRequest', StalledUpload)
    const now = vi.spyOn(performance, 'now').mockReturnValue(1_000)
    const percents: number[] = []
    const upload = uploadFile({ url: 'http://s3.local/bucket', fields: { key: 'k' } }, new Blob(['photo']), (p) => percents.push(p))
    const request = StalledUpload.last
    expect(request.timeout).toBe(UPLOAD_STALL_MS)
    now.mockReturnValue(21_000) // 20 s later, half of it is sent
    request.upload.onprogress!({ lengthComputable: true, loaded: 1, total: 2 })
    expect(request.timeout).toBe(20_000 + UPLOAD_STALL_MS) // counted from the last progress, not the start
    expect(percents).toEqual([50])
    request.ontimeout!() // what the browser calls once the connection has been silent that long
    await expect(upload).rejects.toThrow('网络长时间没有响应，上传未完成，请重新上传')
  })
})
