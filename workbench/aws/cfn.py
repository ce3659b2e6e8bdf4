"""Read the CloudFormation template in ``infra/`` and resolve it for given parameters.

CloudFormation does the real work at deploy time; this module does the small part of it
that can be done offline, so that the deploy step can refuse bad parameters before
calling AWS and the tests can compare what the stack would create with the package's own
definitions: YAML with the short intrinsic tags (``!Ref``, ``!Sub``, ``!If``...),
parameter defaults and constraints, conditions, and the intrinsic functions the template
uses. Values only AWS knows resolve to placeholders: ``<LogicalId>`` for a generated
name, ``<LogicalId.Attribute>`` for an attribute and
``arn:aws:stack:<region>:<account>:<LogicalId>`` for an ARN.

>>> from workbench.aws.cfn import load_template, resolve            # doctest: +SKIP
>>> stack = resolve(load_template(), {"LogBucket": "my-logs"})  # doctest: +SKIP
>>> stack["Resources"]["CloudTrailTable"]["Properties"]["TableInput"]["Name"]  # doctest: +SKIP
'cloudtrail'
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.settings import shipped_dir

#: The stack's template: shipped inside the package (``workbench/infra``), or in ``infra/`` of a checkout.
TEMPLATE = (shipped_dir("infra") or Path("infra")) / "workbench.yaml"

#: Pseudo parameters used when none are given.
PSEUDO = {
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::StackName": "workbench",
    "AWS::URLSuffix": "amazonaws.com",
}

#: Where a resource type keeps the name that ``Ref`` returns, when the template sets it.
_NAME_PROPERTY = {
    "AWS::Glue::Database": ("DatabaseInput", "Name"),
    "AWS::Glue::Table": ("TableInput", "Name"),
    "AWS::Athena::WorkGroup": ("Name",),
    "AWS::Lambda::Function": ("FunctionName",),
    "AWS::CodeBuild::Project": ("Name",),
    "AWS::Logs::LogGroup": ("LogGroupName",),
}

_NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


def load_template(path: str | Path = TEMPLATE) -> dict:
    """The template file as plain data, intrinsic functions in their long form."""
    return parse_template(Path(path).read_text())


def parse_template(text: str) -> dict:
    """A template's YAML text as plain data, intrinsic functions in their long form.

    Raises
    ------
    WorkbenchError
        If PyYAML is not installed.
    """
    try:
        import yaml
    except ImportError:
        raise WorkbenchError("reading the CloudFormation template needs PyYAML: pip install pyyaml") from None

    class Loader(yaml.SafeLoader):
        """Turns ``!Tag value`` into ``{"Fn::Tag": value}`` (or ``{"Ref": ...}``)."""

    def construct(loader, suffix: str, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix in ("Ref", "Condition"):
            return {suffix: value}
        if suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", construct)
    return yaml.load(text, Loader=Loader)


def parameter_values(template: dict, given: dict | None = None) -> dict:
    """Every parameter's value: ``given`` over the defaults, checked against the constraints.

    ``CommaDelimitedList`` values become lists; numbers stay strings, as CloudFormation
    passes them.

    The template's ``Rules`` are checked too, as CloudFormation would before creating anything.

    Raises
    ------
    ValueError
        Naming the parameter: unknown, missing, or breaking ``AllowedPattern``,
        ``AllowedValues``, ``MinValue`` or ``MaxValue``; or naming a rule whose assertion fails,
        with its description.
    """
    given = dict(given or {})
    declared = template.get("Parameters", {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"unknown template parameter(s) {', '.join(unknown)}; known: {', '.join(declared)}")
    values = {}
    for name, spec in declared.items():
        if name in given:
            raw = given[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            raise ValueError(f"template parameter {name} has no default and must be given: "
                             f"{spec.get('Description', '')}")
        raw = ",".join(raw) if isinstance(raw, (list, tuple)) else str(raw)
        _check(name, spec, raw)
        values[name] = raw.split(",") if spec["Type"] == "CommaDelimitedList" else raw
    for rule_name, rule in (template.get("Rules") or {}).items():
        try:
            if "RuleCondition" in rule and not _rule_value(rule["RuleCondition"], values):
                continue
            failed = [a for a in rule.get("Assertions", []) if not _rule_value(a["Assert"], values)]
        except _UnknownRuleFunction:
            continue  # a rule this checker cannot evaluate: CloudFormation still will
        if failed:
            raise ValueError(f"rule {rule_name}: {failed[0].get('AssertDescription', 'assertion failed')}")
    return values


class _UnknownRuleFunction(Exception):
    pass


def _rule_value(node, values: dict):
    """The value of a rule expression: ``Ref`` to a parameter, ``Fn::Equals``, ``Not``, ``And``,
    ``Or`` and ``Contains``; any other function raises :class:`_UnknownRuleFunction`."""
    if not isinstance(node, dict):
        return node
    (key, arg), = node.items()
    if key == "Ref":
        value = values.get(arg)
        return ",".join(value) if isinstance(value, list) else value
    args = [_rule_value(a, values) for a in arg] if isinstance(arg, list) else [_rule_value(arg, values)]
    if key == "Fn::Equals":
        return str(args[0]) == str(args[1])
    if key == "Fn::Not":
        return not args[0]
    if key == "Fn::And":
        return all(args)
    if key == "Fn::Or":
        return any(args)
    if key == "Fn::Contains":
        return str(args[1]) in [str(a) for a in args[0]]
    raise _UnknownRuleFunction(key)


def _check(name: str, spec: dict, raw: str) -> None:
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, raw):
        raise ValueError(f"{name}={raw!r} does not match {pattern}: {spec.get('Description', '')}")
    allowed = spec.get("AllowedValues")
    if allowed and raw not in [str(a) for a in allowed]:
        raise ValueError(f"{name}={raw!r} is not one of {', '.join(map(str, allowed))}")
    if spec["Type"] == "Number":
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number") from None
        if "MinValue" in spec and number < float(spec["MinValue"]):
            raise ValueError(f"{name}={raw} is below the minimum {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            raise ValueError(f"{name}={raw} is above the maximum {spec['MaxValue']}")


def resolve(template: dict, given: dict | None = None, *, pseudo: dict | None = None) -> dict:
    """The template's resources and outputs with every intrinsic function evaluated.

    Parameters
    ----------
    template : dict
        From :func:`load_template`.
    given : dict
        Parameter values (the rest take their defaults).
    pseudo : dict, optional
        Pseudo parameters (``AWS::Region``...) over :data:`PSEUDO`.

    Returns
    -------
    dict
        ``{"Parameters", "Conditions", "Resources", "Outputs"}``: resources and outputs whose
        condition is false are left out.
    """
    ctx = _Context(template, parameter_values(template, given), {**PSEUDO, **(pseudo or {})})
    resources = {
        name: ctx.value({k: v for k, v in body.items() if k != "Condition"})
        for name, body in template.get("Resources", {}).items()
        if ctx.condition(body.get("Condition"))
    }
    outputs = {
        name: ctx.value(body["Value"])
        for name, body in template.get("Outputs", {}).items()
        if ctx.condition(body.get("Condition"))
    }
    return {"Parameters": ctx.params, "Conditions": dict(ctx.conditions), "Resources": resources, "Outputs": outputs}


class _Context:
    def __init__(self, template: dict, params: dict, pseudo: dict):
        self.template, self.params, self.pseudo = template, params, pseudo
        self.conditions: dict[str, bool] = {}

    def condition(self, name: str | None) -> bool:
        if name is None:
            return True
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def ref(self, name: str):
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.params:
            return self.params[name]
        if name in self.pseudo:
            return self.pseudo[name]
        resource = self.template["Resources"][name]
        path = _NAME_PROPERTY.get(resource["Type"])
        node = resource.get("Properties", {})
        for key in path or ():
            node = node.get(key, {}) if isinstance(node, dict) else {}
        return self.value(node) if path and node != {} else f"<{name}>"

    def getatt(self, resource: str, attribute: str) -> str:
        if attribute.endswith("Arn"):  # an ARN-shaped placeholder, so policies stay valid
            p = self.pseudo
            return f"arn:{p['AWS::Partition']}:stack:{p['AWS::Region']}:{p['AWS::AccountId']}:{resource}"
        return f"<{resource}.{attribute}>"

    def sub(self, text: str, variables: dict) -> str:
        def replace(match: re.Match) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return str(variables[inner])
            if "." in inner and not inner.startswith("AWS::"):
                return self.getatt(*inner.split(".", 1))
            value = self.ref(inner)
            return ",".join(value) if isinstance(value, list) else str(value)

        return _SUB_VAR.sub(replace, text)

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::GetAtt":
                return self.getatt(*arg)
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))
                return self.sub(text, variables)
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.value(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = self.value(arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(arg))
            if key == "Fn::Or":
                return any(self.value(arg))
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(i) for i in self.value(items))
            if key == "Fn::Split":
                sep, text = arg
                return str(self.value(text)).split(sep)
            if key == "Fn::Select":
                index, items = arg
                return self.value(items)[int(self.value(index))]
            if key == "Fn::Base64":
                return base64.b64encode(str(self.value(arg)).encode()).decode()
            if key.startswith("Fn::"):
                raise NotImplementedError(f"{key} is not resolved offline")
        out = {}
        for key, item in node.items():
            resolved = self.value(item)
            if resolved is not _NO_VALUE:
                out[key] = resolved
        return out
