"""A local, stand-alone emulator of the OpsRamp automation jobs API (tests and quickstart only)."""
