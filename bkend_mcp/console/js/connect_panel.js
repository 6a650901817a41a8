// "Connect your AI tool" (spec §4.17): this server's MCP URL and ready-to-copy set-up for Claude Code (local stdio
// and HTTP), Cursor, Claude Desktop, VS Code and any other client, from GET /v1/console/connect.

import { get, paths } from "./api.js";
import { h } from "./dom.js";
import { snippet } from "./ui.js";

const STDIO_COMMAND = "claude mcp add bkend -- bkend-mcp mcp";

function claudeDesktop(mcpUrl) {
  const config = { mcpServers: { bkend: { command: "npx", args: ["mcp-remote", mcpUrl] } } };
  return JSON.stringify(config, null, 2);
}

function block(title, text, ...notes) {
  return h("div", { class: "connect-item" }, h("h3", {}, title), notes.map((n) => h("p", { class: "hint" }, n)), snippet(text, title));
}

/** The panel; `compact` shows only the two Claude Code commands and a link to the full page. */
export async function connectPanel({ compact = false, fullHref } = {}) {
  let info;
  try {
    info = await get(paths.connect);
  } catch {
    info = { mcpUrl: `${location.origin}/mcp`, snippets: {}, testPrompt: "List my bkend projects." };
  }
  const url = info.mcpUrl || `${location.origin}/mcp`;
  const s = info.snippets || {};
  const http = `claude mcp add --transport http bkend ${url}`;
  const items = [
    block("Claude Code — over HTTP", http, "Claude Code opens your browser to approve the connection."),
    block("Claude Code — on this machine (stdio)", STDIO_COMMAND, "Runs the server's own stdio command; needs bkend-mcp installed where Claude Code runs."),
  ];
  if (!compact) {
    if (s.claudeCodeToken) items.push(block("Claude Code — with a personal access token", s.claudeCodeToken, "Create the token under Organization settings → Security and put it in place of mcp_…"));
    if (s.cursor) items.push(block("Cursor — ~/.cursor/mcp.json", s.cursor));
    items.push(block("Claude Desktop — claude_desktop_config.json (HTTP through mcp-remote)", claudeDesktop(url)));
    if (s.stdio) items.push(block("Claude Desktop or any client — stdio on this machine", s.stdio));
    if (s.mcpJson) items.push(block("Project .mcp.json", s.mcpJson));
    if (s.vscode) items.push(block("VS Code — .vscode/mcp.json", s.vscode));
    if (s.mcpRemote) items.push(block("Any stdio-only client", s.mcpRemote));
  }
  return h(
    "section",
    { class: "card connect", "aria-labelledby": "connect-title" },
    h("h2", { id: "connect-title" }, "Connect your AI tool"),
    h("p", {}, "MCP server URL: ", h("code", { class: "select" }, url)),
    h("div", { class: "connect-grid" }, items),
    h("p", { class: "hint" }, "Then try: ", h("q", {}, info.testPrompt || "List my bkend projects.")),
    compact && fullHref ? h("p", {}, h("a", { href: fullHref }, "More tools: Cursor, Claude Desktop, VS Code…")) : null,
  );
}
