// The citizen app and the consoles share one router: a name or path used twice silently sends one
// audience to the other's screen (the citizen's "核对并提交" once went to the HR review console).
import { describe, expect, it } from 'vitest'
import type { RouteRecordRaw } from 'vue-router'
import { routes } from '../../src/router'

function flatten(routes: RouteRecordRaw[], prefix = ''): { name: string | undefined; path: string }[] {
  return routes.flatMap((r) => {
    const path = r.path.startsWith('/') ? r.path : `${prefix}/${r.path}`
    return [{ name: r.name as string | undefined, path }, ...flatten(r.children ?? [], path)]
  })
}

describe('the router', () => {
  const all = flatten(routes)

  it('names each screen once', () => {
    const names = all.map((r) => r.name).filter(Boolean)
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([])
  })

  it('gives each screen its own path', () => {
    const paths = all.map((r) => r.path)
    expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([])
  })
})
