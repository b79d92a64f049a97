import { describe, expect, it } from 'vitest'
import { routes } from '../../src/router'

// vue-router keeps the last of two routes with one name: the citizen's 核对并提交 (`review`) was once
// replaced by the reviewers' queue, and the materials screen's button sent a resident to a console.
describe('the routes of the citizen app and the consoles', () => {
  it('each have a name of their own', () => {
    const names = routes.map((r) => String(r.name))
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([])
  })

  it('send the citizen review screen and the reviewers queue to different paths', () => {
    const byName = new Map(routes.map((r) => [String(r.name), r.path]))
    expect(byName.get('review')).toBe('/cases/:id/review')
    expect(byName.get('review-queue')).toBe('/review')
  })
})
