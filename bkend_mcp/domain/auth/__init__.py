"""End-user authentication of an environment's app (spec/auth.md), one idea per module.

Model and storage
    collections   the per-environment auth collections and their indexes
    settings      per-environment auth settings (password policy, lifetimes, switches, rate-limit overrides)
    users         users and their sign-in accounts; the user object the API shows
    sessions      sessions: create, look up, list, revoke
    onetime       single-use tokens for links (magic link, reset, verification), deployment-wide
Rules
    emails        address normalisation and syntax
    passwords     password policy and Argon2id hashing
    ratelimit     store-backed counters, rate limits and lockout
    urls          callback / redirect URL checks and link building
    access        an access token's session and user, checked on every request
Mail
    templates     default mail templates and `{{variable}}` rendering
    mailer        SMTP or the environment's outbox
Flows (what the REST and MCP interfaces call)
    grant         a signed-in user gets a session and a token pair
    password_auth sign-up and sign-in with email + password
    magic_link    magic-link send and verify
    refresh       refresh-token rotation with grace window and reuse detection
    account       me, sign-out, own sessions
    recovery      password reset and change
    verification  email verification (sign-up and contact address)
    mfa           the TOTP / backup-code challenge at password sign-in
    mfa_enrollment  MFA enable, confirm, disable
    social        Google / GitHub sign-in: start, both callback forms, user resolution
    linking       linked accounts: link, list, unlink, check
    invitations   project and organization invitations, memberships, grants applied at sign-up
    organizations switch-organization
    deletion      withdraw and admin deletion (soft delete that frees the address)
    user_admin    the `/v1/users` API and who may use it
    profile       profile fields and their rules
    user_settings preferences, notifications, onboarding, public settings
Providers and management
    oauth_config  per-environment Google / GitHub settings (secret encrypted), endpoints
    provider_api  the HTTP calls to the providers (code exchange, ID token, user info)
    auth_admin    provider and mail settings, for `sk_` keys and MCP
    template_admin  mail templates: list, get, update, reset, preview
    manage        the MCP `manage_auth` / `manage_users` action tables
    users_table   the built-in `users` table as the data API shows it to admins
"""
