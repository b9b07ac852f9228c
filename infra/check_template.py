#!/usr/bin/env python3
"""Fail when template.yaml refers to a name it does not declare.

cfn-lint passes a SAM template whose function refers to an undeclared parameter (`!Ref AppUrl`), and
CloudFormation then rejects the stack. This translates the template as `sam deploy` would (the SAM
translator, with each CodeUri made an S3 URI as `sam package` makes it) and checks every `Ref`,
`Fn::GetAtt` and `Fn::Sub` variable of the result against its parameters, resources and the pseudo
parameters. Exit status 1 and one line per unknown name when any is found.
"""

import os
import re
import sys

import yaml
from samtranslator.translator.transform import transform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from provision import CfnLoader  # noqa: E402

PSEUDO = {"AWS::AccountId", "AWS::NoValue", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region",
          "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}


class NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs only when a function names one by name."""

    def load(self):
        return {}


def packaged(template):
    for res in template.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = "s3://bucket/function.zip"
    return template


def references(value, path="", found=None):
    """(kind, name, where) for every reference in `value`."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, arg in value.items():
            here = f"{path}/{key}"
            if key == "Ref" and isinstance(arg, str):
                found.append(("Ref", arg, path))
            elif key == "Fn::GetAtt":
                name = arg[0] if isinstance(arg, list) else str(arg).split(".")[0]
                found.append(("Fn::GetAtt", name, path))
            elif key == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                for var in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    name = var.split(".")[0]
                    if name not in local:
                        found.append(("Fn::Sub", name, path))
            references(arg, here, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            references(item, f"{path}/{i}", found)
    return found


def unknown(template):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    translated = transform(packaged(template), {}, NoManagedPolicies())
    known = set(translated.get("Parameters", {})) | set(translated.get("Resources", {})) | PSEUDO
    body = {k: translated.get(k, {}) for k in ("Resources", "Outputs", "Conditions")}
    return sorted({(kind, name, where) for kind, name, where in references(body) if name not in known})


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    with open(path) as f:
        template = yaml.load(f, Loader=CfnLoader)
    missing = unknown(template)
    for kind, name, where in missing:
        print(f"{path}: {kind} {name} names no parameter or resource (at {where})")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
