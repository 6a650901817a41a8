"""How MCP clients over HTTP authenticate: the OAuth 2.1 authorization server (clients, consent, tokens) and
personal access tokens."""
