"""The people who run a deployment: tenants (console accounts), organizations, their members and roles,
invitations, and the local owner's first setup. (App users live in `domain/auth/`.)"""
