"""Infrastructure: the CloudFormation resources beside Chalice's, the package build, the API authorizer.

- `template.json` — tables, bucket, KMS key, topics, state machine, queue, alarms, the
  authorizer function (the local stack reads its tables, bucket and topics from here);
- `functions.json` — per function: the IAM statements of its role; the scheduled jobs;
  the public routes;
- `build.py` — `make package`: `chalice package --merge-template` with both of them;
- `authorizer.py` — the API Gateway Lambda authorizer (shipped in the package as
  `infra/authorizer.py`; it needs nothing but the standard library).
"""
