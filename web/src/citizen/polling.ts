// Keeps a case fresh while its screen is open: asks again every `interval` while it is still moving,
// not while the page is hidden (a phone in a pocket), and no more once it has finished.
export interface Poller {
  stop(): void
}

export function pollWhileOpen(
  refresh: () => Promise<boolean>, // answers whether to keep polling
  interval: (attempt: number) => number,
  doc: Pick<Document, 'hidden' | 'addEventListener' | 'removeEventListener'> = document,
): Poller {
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  let attempt = 0

  const schedule = () => {
    if (stopped || doc.hidden || timer !== null) return
    timer = setTimeout(tick, interval(attempt))
  }
  const tick = async () => {
    timer = null
    if (stopped || doc.hidden) return
    attempt += 1
    let again = true
    try {
      again = await refresh()
    } catch {
      again = true // a failed refresh (network) is tried again at the next tick
    }
    if (again) schedule()
    else stop()
  }
  const onVisibility = () => {
    if (doc.hidden) {
      if (timer !== null) clearTimeout(timer)
      timer = null
    } else {
      void tick() // back in view: refresh at once, then on schedule
    }
  }
  function stop() {
    stopped = true
    if (timer !== null) clearTimeout(timer)
    timer = null
    doc.removeEventListener('visibilitychange', onVisibility)
  }
  doc.addEventListener('visibilitychange', onVisibility)
  schedule()
  return { stop }
}
