// The typed API client: paths and bodies come from the generated schema.d.ts (the OpenAPI document),
// so a contract change the app does not follow fails `vue-tsc`, not the user.
import createClient, { type ClientOptions, type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'
import { session, signOut } from '../auth/session'

export type Schemas = components['schemas']

const bearer: Middleware = {
  onRequest({ request }) {
    if (session.token) request.headers.set('Authorization', `Bearer ${session.token}`)
    return request
  },
  onResponse({ response }) {
    // an expired or refused token: forget it, the router's guard sends the person to sign in again
    if (response.status === 401) signOut()
    return response
  },
}

/** The problem of a call that got no answer: the connection dropped, or stalled past the deadline. */
export const UNREACHABLE: Problem = { status: 0, detail: '网络不可用，请检查网络后重试' }

/**
 * The answer of a call that got none. Not a Response: there was none. Its `error` is the 网络不可用
 * problem (not null), so a call site that checks `error` — a DELETE answers 204 with no data — cannot
 * take a dropped connection for success.
 */
export type Unanswered = { data: undefined; error: Problem; response: { status: 0; ok: false } }

/** How long a call may wait for its whole answer: a stalled connection (a lift, a weak cell) ends as 网络不可用. */
export const ANSWER_DEADLINE_MS = 30_000

/** Whether `fetch` failed for want of a network (TypeError) or was stopped (the deadline, AbortError): no answer came. */
function unanswered(error: unknown): boolean {
  if (error instanceof TypeError) return true
  // an OK answer whose body is not the API's JSON (a captive portal's page on station wifi): no answer of ours came
  if (error instanceof SyntaxError) return true
  const name = error && typeof error === 'object' && 'name' in error ? error.name : null
  return name === 'AbortError' || name === 'TimeoutError'
}

/**
 * A call's answer, or — when no answer came (the connection dropped or stalled; openapi-fetch then
 * throws) — an answer of status 0 with no data and the 网络不可用 problem. A screen's busy state then
 * ends, and the person can press again: a create keeps its Idempotency-Key for that retry. Any other
 * exception is the app's own fault, not the network's: it is logged and thrown on, not worded as 网络不可用.
 */
export async function answered<T extends { response: Response }>(call: Promise<T>): Promise<T | Unanswered> {
  try {
    return await call
  } catch (error) {
    if (unanswered(error)) return { data: undefined, error: { ...UNREACHABLE }, response: { status: 0, ok: false } }
    console.error('API call failed in the app (not the network):', error)
    throw error
  }
}

// One method of the client with its path and body types as generated (TypeScript carries a generic
// method's type parameters through this higher-order function), whose promise rejects only on an
// exception of the app's own (see `answered`).
function answering<A extends unknown[], R extends { response: Response }>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R | Unanswered> {
  return (...args) => answered(method(...args))
}

/**
 * `fetch` with a deadline: aborted (AbortError) when the whole answer has not come within `ms`. The
 * timer is not cleared when the headers come: the body is read after, and may stall as well; aborting
 * a request already answered does nothing.
 */
export function withDeadline(fetch: (request: Request, init?: RequestInit) => Promise<Response>, ms: number): (request: Request, init?: RequestInit) => Promise<Response> {
  return (request, init) => {
    const controller = new AbortController()
    const stop = () => controller.abort()
    if (request.signal.aborted) stop()
    else request.signal.addEventListener('abort', stop) // a caller's own signal still stops it
    setTimeout(stop, ms)
    return fetch(request, { ...init, signal: controller.signal })
  }
}

/**
 * The API client the screens use: every method answers — an API's answer, or status 0 when the
 * network failed or stalled past the deadline — so no call site can forget the lost connection and
 * leave its screen busy.
 */
export function createApi(options: ClientOptions, deadlineMs = ANSWER_DEADLINE_MS) {
  // the global fetch is looked up at each call (not when the client is made), so a test can stub it
  const fetch = options.fetch ?? ((request: Request, init?: RequestInit) => globalThis.fetch(request, init))
  const client = createClient<paths>({ ...options, fetch: withDeadline(fetch, deadlineMs) })
  client.use(bearer)
  return {
    GET: answering(client.GET),
    POST: answering(client.POST),
    PUT: answering(client.PUT),
    PATCH: answering(client.PATCH),
    DELETE: answering(client.DELETE),
  }
}

export const api = createApi({ baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin })

/** An error answer of the API (RFC 9457 problem+json), as far as the screens read it. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: { field?: string; matter?: string; code: string; message: string }[]
}

// The API's words for a key sent again with another body are a developer's ("Idempotency-Key"): on a
// pensioner's phone they say what happened and what to do.
const KEY_REUSED: Problem = { status: 422, detail: '这次提交的内容与上一次未完成的提交不同，未能办理，请再提交一次' }

export function asProblem(error: unknown, status?: number): Problem {
  if (error && typeof error === 'object' && ('detail' in error || 'errors' in error || 'title' in error)) {
    const problem = error as Problem
    return problem.type?.endsWith('/idempotency-key-reused') ? { ...KEY_REUSED, type: problem.type } : problem
  }
  return { status, detail: status ? `服务暂时不可用（${status}），请稍后再试` : '网络不可用，请检查网络后重试' }
}

/**
 * The Chinese message for each field a problem names, keyed by the field's path as the API writes it
 * (`contact.phone`, `matters[0].form.bank`, `materials.photo`), so each message shows next to its field.
 */
export function fieldMessages(problem: Problem | null): Record<string, string> {
  const messages: Record<string, string> = {}
  for (const e of problem?.errors ?? []) {
    const key = e.field ?? (e.matter ? `matter.${e.matter}` : '')
    if (key && !messages[key]) messages[key] = e.message
  }
  return messages
}

/** A fresh Idempotency-Key for one attempt of a creating request (reused when that attempt is retried). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}


/**
 * Whether a creating request (a case, a submission) that got no result keeps its Idempotency-Key for
 * the next press: when no answer came (status 0: it may have been done all the same) or the first
 * attempt is still under way (409 …/in-progress), the retry must be that same request; any other
 * answer ends the attempt, and a new one gets a new key.
 */
export function keepsIdempotencyKey(status: number, problem: Problem): boolean {
  // 502/503/504: the gateway gave up waiting, so the API may have made it all the same
  return status === 0 || status === 502 || status === 503 || status === 504 || (status === 409 && !!problem.type?.endsWith('/in-progress'))
}
