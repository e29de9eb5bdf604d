from tests.dataquality.fixtures import signed_policy  # noqa: F401  (a fixture for these tests)
