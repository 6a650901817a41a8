// "Connect your AI tool" as its own page, at organization and project level (spec §4.17).

import { replace } from "../dom.js";
import { connectPanel } from "../connect_panel.js";
import { heading } from "../shell.js";

export async function render(main) {
  replace(
    main,
    heading("Connect your AI tool", "Give Claude, Cursor or any MCP client access to this server. You approve each connection in the browser, and its access is capped by your role."),
    await connectPanel(),
  );
}
