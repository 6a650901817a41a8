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
"""
