"""File storage (spec/storage.md): upload intents, file records, visibility and permissions, listing, downloads,
image transforms and the cleanup sweep. Bytes live behind the BlobStore port (`bkend_mcp/blobs`); records live in
each environment's built-in `files` collection."""
