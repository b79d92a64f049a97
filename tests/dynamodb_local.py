"""DynamoDB Local for the tests and benchmarks: the local stack's own (chalicelib/dynamodb_local.py), under its old name.

For the tests and benchmarks that need real DynamoDB semantics: concurrent
conditional writes, transactions, and index queries whose cost is DynamoDB's, not
moto's. Installed on first use under .local/dynamodb (git-ignored).
"""

from __future__ import annotations

from chalicelib.dynamodb_local import PREFIX, DynamoDBLocal, DynamoDBLocalUnavailable, install, running

__all__ = ["PREFIX", "DynamoDBLocal", "DynamoDBLocalUnavailable", "install", "running"]
