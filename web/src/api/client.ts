// The typed API client: paths and bodies come from the generated schema.d.ts (the OpenAPI document),
// so a contract change the app does not follow fails `vue-tsc`, not the user.
import createClient, { type Middleware } from 'openapi-fetch'
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

export const api = createClient<paths>({ baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin })
api.use(bearer)

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
 * A call's answer, or — when no answer came (the connection dropped; openapi-fetch then throws) — an
 * answer of status 0 with no data, which `asProblem` words as 网络不可用. A screen's busy state then
 * always ends, and the person can press again: a create keeps its Idempotency-Key for that retry.
 */
export async function answered<T extends { response: Response }>(
  call: Promise<T>,
): Promise<T | { data: undefined; error: null; response: Response }> {
  try {
    return await call
  } catch {
    return { data: undefined, error: null, response: { status: 0, ok: false } as Response }
  }
}
