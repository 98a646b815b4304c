"""The DVA-C02 topic taxonomy (from TOPICS.md): slug, default exam domain, estimate, scope.

The loader refuses topics not listed here, so a typo in a file name or
``meta.topic`` cannot create a silent new topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.model import EXAM_WEIGHTS


@dataclass(frozen=True)
class Topic:
    """One topic slug of the bank."""

    slug: str
    domain: int
    estimate: int
    scope: str


TOPICS: dict[str, Topic] = {
    t.slug: t
    for t in (
        Topic("lambda-fundamentals", 1, 16, "context, init, env vars, /tmp, limits, layers"),
        Topic("lambda-invocation", 1, 16, "sync/async/ESM, retries, DLQ, destinations"),
        Topic("dynamodb-keys-indexes", 1, 12, "keys, partitions, sharding, LSI/GSI"),
        Topic("dynamodb-capacity", 1, 12, "RCU/WCU, consistency, on-demand"),
        Topic("dynamodb-api", 1, 12, "Query/Scan, batch, conditional writes, transactions"),
        Topic("dynamodb-features", 1, 12, "Streams, TTL, DAX, global tables, sessions"),
        Topic("sqs", 1, 18, "FIFO, visibility, DLQ, delay, long polling"),
        Topic("sns", 1, 8, "fan-out, filtering, FIFO topics"),
        Topic("kinesis", 1, 14, "shards, keys, KCL, Firehose"),
        Topic("step-functions-eventbridge", 1, 10, "Retry/Catch, Standard vs Express; rules"),
        Topic("api-gateway-core", 1, 10, "API types, endpoints, proxy, mapping"),
        Topic("s3-core", 1, 12, "versioning, replication, events"),
        Topic("s3-storage-lifecycle", 1, 10, "classes, lifecycle, Glacier retrieval"),
        Topic("rds-aurora", 1, 9, "replicas vs Multi-AZ, Aurora, RDS Proxy"),
        Topic("elasticache-caching", 1, 9, "Redis/Memcached, lazy load, write-through"),
        Topic("ec2-storage", 1, 10, "purchasing, user data, EBS, EFS"),
        Topic("elb-asg", 1, 12, "ALB/NLB, stickiness, SNI, ASG policies"),
        Topic("vpc-route53", 1, 10, "SG vs NACL, endpoints; alias, routing"),
        Topic("misc-services", 1, 5, "AppSync, Amplify, Athena, SES"),
        Topic("iam-policies", 2, 14, "evaluation, managed/inline, PassRole"),
        Topic("sts-assume-role", 2, 9, "AssumeRole, cross-account, MFA, decode errors"),
        Topic("sdk-cli-credentials", 2, 12, "provider chain, IMDSv2, SigV4, backoff, quotas"),
        Topic("kms-encryption", 2, 14, "key types, envelope, rotation, quotas"),
        Topic("secrets-parameter-store", 2, 9, "SecureString, hierarchy, rotation"),
        Topic("cognito", 2, 11, "user vs identity pools, federation, ALB auth"),
        Topic("s3-security", 2, 14, "bucket policies, pre-signed URLs, MFA Delete, CORS"),
        Topic("s3-encryption", 2, 10, "SSE-S3/KMS/C, client-side, SecureTransport"),
        Topic("api-gateway-security", 2, 8, "IAM, resource policy, authorizers"),
        Topic("lambda-permissions-vpc", 2, 8, "execution role, resource policy, VPC"),
        Topic("lambda-versions-aliases", 3, 8, "versions, aliases, weighted shifting"),
        Topic("api-gateway-deploy", 3, 8, "stages, variables, canary, usage plans"),
        Topic("elastic-beanstalk", 3, 14, "tiers, deployment policies, .ebextensions, lifecycle"),
        Topic("cloudformation", 3, 18, "intrinsics, exports, rollbacks, StackSets, DeletionPolicy"),
        Topic("sam-cdk", 3, 11, "SAM resources/CLI, policy templates, CDK"),
        Topic("containers-ecs", 3, 15, "launch types, task defs, roles, placement, ECR"),
        Topic("codecommit-codebuild", 3, 11, "buildspec, env vars, caching, local build"),
        Topic("codedeploy", 3, 13, "appspec, hooks, configs, blue/green, rollbacks"),
        Topic("codepipeline-devtools", 3, 8, "stages, artifacts, approval, CodeArtifact"),
        Topic("cloudwatch-cloudtrail", 4, 16, "metrics, alarms, Logs, filters; CloudTrail"),
        Topic("xray-tracing", 4, 13, "segments, annotations, sampling, daemon"),
        Topic("s3-performance", 4, 8, "prefix rates, multipart, acceleration"),
        Topic("cloudfront", 4, 13, "caching, invalidation, signed URLs, edge functions"),
        Topic("api-gateway-ops", 4, 9, "caching, throttling/429, errors, logging"),
        Topic("lambda-concurrency", 4, 10, "reserved/provisioned, cold starts, throttling"),
    )
}

DOMAIN_WEIGHTS = EXAM_WEIGHTS
