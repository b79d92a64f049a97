// The runtime configuration, served beside the app at /app/config.json: the same build runs
// locally (demo sign-in against /dev/token) and deployed (OpenID Connect against the provincial IdP).
export type AppConfig = { signin: 'demo' } | { signin: 'oidc'; issuer: string; clientId: string; scope?: string }

let loaded: Promise<AppConfig> | null = null

export function parseConfig(value: unknown): AppConfig {
  const v = value as Record<string, unknown> | null
  if (v && v.signin === 'demo') return { signin: 'demo' }
  if (v && v.signin === 'oidc' && typeof v.issuer === 'string' && typeof v.clientId === 'string') {
    return { signin: 'oidc', issuer: v.issuer, clientId: v.clientId, scope: typeof v.scope === 'string' ? v.scope : undefined }
  }
  throw new Error('config.json: signin must be "demo", or "oidc" with issuer and clientId')
}

export function appConfig(): Promise<AppConfig> {
  loaded ??= fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`config.json: HTTP ${r.status}`))))
    .then(parseConfig)
  return loaded
}
