// Deployed sign-in: OpenID Connect authorization code with PKCE against the provincial identity
// provider (issuer and client id from /app/config.json). Loaded only in that mode, so the demo
// build's first load does not carry oidc-client-ts.
// The user (its tokens) is kept in memory (InMemoryWebStorage). Only the short-lived state of one
// redirect — the PKCE verifier and the `state` value, no token — is kept in sessionStorage, because
// the redirect to the provider and back is a new page load that memory does not survive.
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts'
import type { AppConfig } from '../config'
import { signIn } from './session'

type OidcConfig = Extract<AppConfig, { signin: 'oidc' }>

let manager: UserManager | null = null

function userManager(config: OidcConfig): UserManager {
  manager ??= new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${location.origin}${import.meta.env.BASE_URL}signin/callback`,
    response_type: 'code',
    scope: config.scope ?? 'openid profile',
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    automaticSilentRenew: false,
  })
  return manager
}

/** Leaves for the provider's sign-in page; `next` is where to come back to. */
export async function startOidcSignIn(config: OidcConfig, next: string): Promise<void> {
  await userManager(config).signinRedirect({ state: { next } })
}

/** On /app/signin/callback: exchanges the code (with the PKCE verifier) for tokens; answers where to go. */
export async function finishOidcSignIn(config: OidcConfig): Promise<string> {
  const user = await userManager(config).signinRedirectCallback()
  // the API's authorizer takes access tokens only (token_use/typ, the API's audience), which carry the
  // claims of docs/api.md (sub, name, roles, district...): never the ID token, whose audience is this app
  signIn(user.access_token)
  const state = user.state as { next?: string } | undefined
  return state?.next ?? '/'
}
