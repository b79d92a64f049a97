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

/** The answer of a call that got none: the connection dropped before the API answered (openapi-fetch threw). */
export type Unanswered = { data: undefined; error: null; response: Response }

/**
 * A call's answer, or — when no answer came (the connection dropped; openapi-fetch then throws) — an
 * answer of status 0 with no data, which `asProblem` words as 网络不可用. A screen's busy state then
 * always ends, and the person can press again: a create keeps its Idempotency-Key for that retry.
 */
export async function answered<T extends { response: Response }>(call: Promise<T>): Promise<T | Unanswered> {
  try {
    return await call
  } catch {
    return { data: undefined, error: null, response: { status: 0, ok: false } as Response }
  }
}

// One method of the client with its path and body types as generated (TypeScript carries a generic
// method's type parameters through this higher-order function), whose promise never rejects.
function answering<A extends unknown[], R extends { response: Response }>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R | Unanswered> {
  return (...args) => answered(method(...args))
}

/**
 * The API client the screens use: every method answers — an API's answer, or status 0 when the
 * network failed — so no call site can forget the lost connection and leave its screen busy.
 */
export function createApi(options: ClientOptions) {
  const client = createClient<paths>(options)
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

export function asProblem(error: unknown, status?: number): Problem {
  if (error && typeof error === 'object' && ('detail' in error || 'errors' in error || 'title' in error)) return error as Problem
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
  return status === 0 || (status === 409 && !!problem.type?.endsWith('/in-progress'))
}
