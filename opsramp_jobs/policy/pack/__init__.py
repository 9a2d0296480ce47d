"""The policy pack's directory (PulumiPolicy.yaml and the ``__main__`` the analyzer runs)."""
