#!/usr/bin/env python3
"""Create the table, bucket and queues of template.yaml in the local AWS emulator.

template.yaml is the one source of truth: this reads its AWS::DynamoDB::Table, AWS::S3::Bucket,
AWS::SQS::Queue and AWS::SNS::Topic resources (keys, indexes, TTL, redrive policies, the bucket's CORS,
lifecycle rules and S3 -> SQS notification, SNS -> SQS subscriptions) and creates them as declared. It prints one JSON document naming what it made,
which the dev server and the end-to-end tests read:

    {"table": ..., "bucket": ..., "queues": {"<LogicalId>": {"url": ..., "arn": ...}},
     "topics": {"<LogicalId>": "<arn>"},
     "consumers": [{"function": "<LogicalId>", "binary": ..., "queue": "<LogicalId>"}],
     "routes": [{"function": ..., "binary": ..., "method": ..., "path": ...}],
     "environments": {"<binary>": {"<VARIABLE>": "<value>"}}}

A function's environment is template.yaml's (Globals and its own) with every reference to a resource made
here resolved to the local name or URL; variables that name a parameter without a default (keys, secrets)
are left out, since the local cloud makes its own.
"""

import argparse
import json
import re
import sys

import boto3
import yaml

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


class CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags as {"Fn::X": value} dicts."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


class Resolver:
    """Resolves the intrinsics the data resources use (Ref, GetAtt, Sub) against local names."""

    def __init__(self, template, prefix):
        self.template = template
        self.prefix = prefix
        self.physical = {}  # logical id -> name / url
        self.arns = {}
        params = template.get("Parameters", {})
        self.params = {k: (str(v.get("Default", "")).split(",") if v.get("Type") == "CommaDelimitedList"
                           else v.get("Default", "")) for k, v in params.items()}
        self.params.update({"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                            "AWS::StackName": prefix, "AWS::URLSuffix": "amazonaws.com"})

    def name(self, logical):
        return f"{self.prefix}-{logical}"

    def ref(self, logical):
        if logical in self.params:
            return self.params[logical]
        return self.physical[logical]

    def resolve(self, value):
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg
                if attr == "Arn":
                    return self.arns[logical]
                if attr == "QueueName":
                    return self.name(logical)
                raise ValueError(f"unsupported GetAtt {logical}.{attr}")
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.ref(m.group(1).split(".")[0])), text)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def resources(template, kind):
    return [(k, v) for k, v in template["Resources"].items() if v["Type"] == kind]


def create_queues(sqs, template, r, out):
    # Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
    queues = resources(template, "AWS::SQS::Queue")
    queues.sort(key=lambda q: "RedrivePolicy" in q[1].get("Properties", {}))
    for logical, res in queues:
        props = r.resolve(res.get("Properties", {}))
        attrs = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in props:
                attrs[key] = str(props[key])
        if "RedrivePolicy" in props:
            attrs["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        url = sqs.create_queue(QueueName=r.name(logical), Attributes=attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        r.physical[logical], r.arns[logical] = url, arn
        out["queues"][logical] = {"url": url, "arn": arn}


def create_topics(sns, template, r, out):
    """SNS topics and their SQS subscriptions (SES publishes its events to a topic; a queue reads them)."""
    for logical, _ in resources(template, "AWS::SNS::Topic"):
        arn = sns.create_topic(Name=r.name(logical))["TopicArn"]
        r.physical[logical], r.arns[logical] = arn, arn
        out["topics"][logical] = arn
    for _, res in resources(template, "AWS::SNS::Subscription"):
        props = r.resolve(res.get("Properties", {}))
        attrs = {"RawMessageDelivery": "true"} if props.get("RawMessageDelivery") else {}
        sns.subscribe(TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"],
                      Attributes=attrs)


def create_table(ddb, template, r, out):
    for logical, res in resources(template, "AWS::DynamoDB::Table"):
        props = r.resolve(res["Properties"])
        name = r.name(logical)
        args = {k: props[k] for k in ("AttributeDefinitions", "KeySchema", "BillingMode") if k in props}
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        ddb.create_table(TableName=name, **args)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "AttributeName": ttl["AttributeName"], "Enabled": True})
        r.physical[logical] = name
        r.arns[logical] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
        out["table"] = name


def lifecycle_rules(config):
    """CloudFormation's LifecycleConfiguration rules in the S3 API's shape; a key this does not translate
    fails, so the local bucket never silently keeps what the deployed one deletes."""
    rules = []
    for rule in config.get("Rules", []):
        unknown = set(rule) - {"Id", "Status", "Prefix", "TagFilters", "ExpirationInDays",
                               "AbortIncompleteMultipartUpload"}
        if unknown:
            raise ValueError(f"lifecycle rule {rule.get('Id')}: unsupported {sorted(unknown)}")
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
        prefix = rule.get("Prefix", "")
        if len(tags) == 1 and not prefix:
            rule_filter = {"Tag": tags[0]}
        elif tags:
            rule_filter = {"And": {"Prefix": prefix, "Tags": tags}}
        else:
            rule_filter = {"Prefix": prefix}
        api = {"ID": rule["Id"], "Status": rule["Status"], "Filter": rule_filter}
        if "ExpirationInDays" in rule:
            api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
        if "AbortIncompleteMultipartUpload" in rule:
            days = rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
            api["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(days)}
        rules.append(api)
    return rules


def create_buckets(s3, template, r, out):
    for logical, res in resources(template, "AWS::S3::Bucket"):
        props = r.resolve(res["Properties"])
        name = r.name(logical).lower()
        s3.create_bucket(Bucket=name)
        if "CorsConfiguration" in props:
            # CloudFormation's CORS rule names differ from the S3 API's.
            renames = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
            rules = [{renames.get(k, k): v for k, v in rule.items()} for rule in props["CorsConfiguration"]["CorsRules"]]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        if "LifecycleConfiguration" in props:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": lifecycle_rules(props["LifecycleConfiguration"])})
        queue_configs = []
        for q in props.get("NotificationConfiguration", {}).get("QueueConfigurations", []):
            config = {"QueueArn": q["Queue"], "Events": [q["Event"]]}
            rules = q.get("Filter", {}).get("S3Key", {}).get("Rules")
            if rules:
                config["Filter"] = {"Key": {"FilterRules": rules}}
            queue_configs.append(config)
        if queue_configs:
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration={"QueueConfigurations": queue_configs})
        r.physical[logical] = name
        out["bucket"] = name


def functions(template, out):
    for logical, res in resources(template, "AWS::Serverless::Function"):
        binary = res.get("Metadata", {}).get("BuildProperties", {}).get("Binary", logical)
        for event in res.get("Properties", {}).get("Events", {}).values():
            props = event.get("Properties", {})
            if event["Type"] == "HttpApi":
                out["routes"].append({"function": logical, "binary": binary,
                                      "method": props["Method"], "path": props["Path"]})
            elif event["Type"] == "SQS":
                queue = props["Queue"]
                queue = queue["Fn::GetAtt"][0] if isinstance(queue, dict) else queue
                out["consumers"].append({"function": logical, "binary": binary, "queue": queue,
                                         "batchSize": props.get("BatchSize", 10)})


def environments(template, r, out):
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for logical, res in resources(template, "AWS::Serverless::Function"):
        binary = res.get("Metadata", {}).get("BuildProperties", {}).get("Binary", logical)
        own = res.get("Properties", {}).get("Environment", {}).get("Variables", {})
        env = {}
        for name, value in {**shared, **own}.items():
            try:
                resolved = r.resolve(value)
            except KeyError:
                continue
            if isinstance(resolved, (str, int)) and str(resolved) != "":
                env[name] = str(resolved)
        out["environments"][binary] = env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--prefix", default="nudge")
    parser.add_argument("--describe-only", action="store_true", help="print routes and consumers, create nothing")
    args = parser.parse_args()

    with open(args.template) as f:
        template = yaml.load(f, Loader=CfnLoader)
    out = {"table": None, "bucket": None, "queues": {}, "topics": {}, "consumers": [], "routes": [],
           "environments": {}}
    functions(template, out)
    if not args.describe_only:
        session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                        region_name=REGION)
        client = lambda svc: session.client(svc, endpoint_url=args.endpoint)  # noqa: E731
        r = Resolver(template, args.prefix)
        create_queues(client("sqs"), template, r, out)
        create_topics(client("sns"), template, r, out)
        create_table(client("dynamodb"), template, r, out)
        create_buckets(client("s3"), template, r, out)
        environments(template, r, out)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
