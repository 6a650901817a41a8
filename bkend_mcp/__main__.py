from bkend_mcp.cli import main

main()
