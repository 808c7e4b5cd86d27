"""Address space: VRFs, prefixes, free space and addresses (N7), with the arithmetic in netmath."""
