"""The generated access-control matrix of issue #8: who (`requesters`) × what (`operations`, `console`) → the
outcome the spec gives (`expected`), run over HTTP against the real app on both engines (`world`)."""
