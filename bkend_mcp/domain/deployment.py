"""Where this deployment is reached: the MCP resource URL (also the OAuth issuer), and the hosts and origins that
the MCP transports and the consent form accept (DNS-rebinding and cross-site protection)."""

from __future__ import annotations

from urllib.parse import urlsplit

from bkend_mcp.config import Config

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def mcp_url(config: Config) -> str:
    """`<base>/mcp`: the protected resource, the OAuth issuer and the tokens' audience."""
    return f"{config.base_url}/mcp"


def base_origin(config: Config) -> str:
    parts = urlsplit(config.base_url)
    return f"{parts.scheme}://{parts.netloc}"


def allowed_hosts(config: Config) -> list[str]:
    """Host header values the MCP endpoints answer. `["*"]` (from BKEND_MCP_ALLOWED_HOSTS) turns the check off."""
    hosts = [urlsplit(config.base_url).netloc, *config.mcp_allowed_hosts]
    if config.on_loopback:
        hosts += [*LOOPBACK_NAMES] + [f"{name}:*" for name in LOOPBACK_NAMES]
    elif config.host not in ("0.0.0.0", "::", ""):
        hosts += [config.host, f"{config.host}:{config.port}"]
    return list(dict.fromkeys(hosts))


def allowed_origins(config: Config) -> list[str]:
    """Origin header values accepted from browsers: the public URL's origin, plus loopback ones on loopback."""
    origins = [base_origin(config)] + [f"https://{h}" for h in config.mcp_allowed_hosts if h != "*"]
    if config.on_loopback:
        origins += [f"http://{name}:*" for name in LOOPBACK_NAMES] + [f"http://{name}" for name in LOOPBACK_NAMES]
    return list(dict.fromkeys(origins))


def origin_allowed(config: Config, origin: str | None) -> bool:
    """True for no Origin (not a cross-site browser request) or one in `allowed_origins`, wildcard ports included."""
    if origin is None:
        return True
    for allowed in allowed_origins(config):
        prefix = allowed[:-1]
        if origin == allowed or (
            allowed.endswith(":*") and origin.startswith(prefix) and origin[len(prefix) :].isdigit()
        ):
            return True
    return False
