"""Pure rules of the kernel: periods, status arithmetic, SPC, plan progress, charts, roles.

No Django here (import-linter's contract and tests/test_purity.py check it): frozen dataclasses
in and out, Decimal throughout, tested without a database.
"""
