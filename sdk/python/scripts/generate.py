#!/usr/bin/python3
"""Generates azora_sdk/_generated/ from the checked-in OpenAPI document.

    /usr/bin/python3 sdk/python/scripts/generate.py            # rewrite azora_sdk/_generated/
    /usr/bin/python3 sdk/python/scripts/generate.py --check    # exit 1 when the checked-in files differ
    /usr/bin/python3 sdk/python/scripts/generate.py --output DIR [--openapi FILE]

Standard library only (no generator runtime can be installed here). It writes:

- ``models.py``: a dataclass per object schema (``from_dict``/``to_dict``; required members without a default,
  optional ones defaulting to ``None``; nullability from OpenAPI 3.1 type arrays and ``oneOf`` with ``null``), a
  ``str`` Enum per enum schema (unknown values from a newer server stay plain strings), ``allOf`` merged,
  ``oneOf``/``anyOf`` as a ``Union`` parsed by discriminator or by first fit, formats ``date-time``/``date`` as
  ``datetime``/``date`` and ``uuid`` as ``UUID``, ``int32``/``int64`` as ``int``;
- ``operations.py``: one ``Operation`` description per operation id and one method per operation on a sync mixin
  (``Operations``) and an async one (``AsyncOperations``), with typed path, query and header parameters and the JSON
  body's members as keyword arguments. The hand-written clients implement ``_invoke``.

Output is deterministic, so a drift test can regenerate and compare.
"""
from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
REPOSITORY_ROOT = PACKAGE_ROOT.parent.parent
DEFAULT_OPENAPI = REPOSITORY_ROOT / "openapi" / "v1.json"
DEFAULT_OUTPUT = PACKAGE_ROOT / "azora_sdk" / "_generated"
COMMAND = "/usr/bin/python3 sdk/python/scripts/generate.py"

# Names the hand-written clients define; an operation id that maps to one of them must fail generation, not shadow it.
RESERVED_METHODS = {
    "sign_in", "sign_out", "paginate", "request", "close", "aclose", "session", "base_url",
    "verify_webhook",
}

# Members whose values are credentials: kept out of the dataclasses' repr so they do not end up in logs.
SECRET_MEMBERS = {"accessToken", "refreshToken", "secret", "key", "clientSecret", "password", "currentPassword", "newPassword"}

# The runtime helpers in azora_sdk/_serde.py that generated code may call.
SERDE = ["_datetime", "_date", "_discriminated", "_dump", "_expect", "_first_fit", "_identity", "_dict_of", "_list_of",
         "_missing", "_nullable", "_uuid", "parse_enum"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def used_names(text: str) -> set:
    """The names the generated code refers to (its AST, so words in docstrings do not count)."""
    import ast
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


def imports(text: str, candidates: List[Tuple[str, List[str]]]) -> List[str]:
    """Import lines for the candidate names the generated text uses, so the output has no unused imports."""
    names = used_names(text)
    lines: List[str] = []
    for template, candidates_ in candidates:
        if template == "":
            if lines and lines[-1] != "":
                lines.append("")
            continue
        used = sorted((n for n in candidates_ if n in names), key=lambda n: (n.lower(), n))
        if not used:
            continue
        if "{}" not in template:
            lines.append(template)
            continue
        line = template.format(", ".join(used))
        if len(line) <= 120:
            lines.append(line)
        else:
            lines.append(template.format("("))
            lines += [f"    {n}," for n in used]
            lines.append(")")
    return lines + [""]


def literal_tuple(items: List[str]) -> str:
    if not items:
        return "()"
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


def literal_dict(pairs: List[Tuple[str, str]], indent: str) -> str:
    """A dict display on one line, or one pair a line when that is longer than 120 columns."""
    if not pairs:
        return "{}"
    one = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if len(indent) + len(one) + 10 <= 120:
        return one
    inner = indent + "    "
    return "{\n" + "".join(f"{inner}{k}: {v},\n" for k, v in pairs) + indent + "}"


def snake(name: str) -> str:
    """camelCase, PascalCase, kebab-case or anything else to a snake_case Python identifier."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    if not s:
        s = "value"
    if s[0].isdigit():
        s = "_" + s
    if keyword.iskeyword(s) or s in {"self", "cls"}:
        s += "_"
    return s


def pascal(name: str) -> str:
    parts = re.split(r"[^0-9a-zA-Z]+", name)
    s = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not s:
        s = "Model"
    if s[0].isdigit():
        s = "_" + s
    return s


def constant(name: str) -> str:
    return snake(name).upper().strip("_") or "VALUE"


def enum_member(value: Any) -> str:
    text = str(value)
    if text.startswith("-"):
        text = "minus_" + text[1:]
    name = re.sub(r"[^0-9a-zA-Z]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)).strip("_").upper()
    if not name:
        name = "EMPTY"
    if name[0].isdigit():
        name = "V_" + name
    if keyword.iskeyword(name.lower()) and name.lower() == name:
        name += "_"
    return name


def docstring(text: str, indent: str) -> List[str]:
    """A docstring's lines, wrapped to 118 columns, safe against quotes and backslashes."""
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if not text:
        return []
    width = 118 - len(indent)
    paragraphs = [textwrap.fill(p.strip(), width=width, break_long_words=False, break_on_hyphens=False)
                  for p in re.split(r"\n\s*\n", text) if p.strip()]
    body = "\n\n".join(paragraphs).split("\n")
    if len(body) == 1 and len(body[0]) + 6 <= width:
        return [f'{indent}"""{body[0]}"""']
    lines = [f'{indent}"""{body[0]}']
    lines += [f"{indent}{line}" if line else "" for line in body[1:]]
    lines.append(f'{indent}"""')
    return lines


def comment(text: str, indent: str) -> List[str]:
    width = 118 - len(indent) - 3
    out = []
    for line in textwrap.wrap(" ".join(text.split()), width=width, break_long_words=False, break_on_hyphens=False):
        out.append(f"{indent}#: {line}")
    return out


@dataclass
class PyType:
    """How one schema looks in Python: its annotation, how a JSON value becomes it, and what inputs accept."""
    ann: str
    conv: Optional[str] = None  # a callable expression turning the JSON value into ann; None = as it is
    nullable: bool = False
    param_ann: Optional[str] = None  # what a parameter of this type accepts, when wider than ann

    @property
    def input_ann(self) -> str:
        return self.param_ann or self.ann


@dataclass
class Member:
    json_name: str
    py_name: str
    type: PyType
    required: bool
    description: str = ""
    secret: bool = False


@dataclass
class Model:
    name: str
    description: str
    members: List[Member] = field(default_factory=list)


@dataclass
class EnumDef:
    name: str
    description: str
    values: List[Any]


@dataclass
class Param:
    name: str  # as sent
    py_name: str
    location: str  # path, query, header, body
    type: PyType
    required: bool
    description: str = ""


class Generator:
    def __init__(self, document: Dict[str, Any], enum_names: Optional[Dict[Tuple[str, ...], str]] = None):
        self.doc = document
        # Inline enums with the same values share one class; its name comes from a first pass (see enum_naming).
        self.enum_names = enum_names or {}
        self.enum_occurrences: Dict[Tuple[str, ...], List[Tuple[str, Optional[str]]]] = {}
        self.schemas: Dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.models: Dict[str, Model] = {}
        self.enums: Dict[str, EnumDef] = {}
        self.class_names: Dict[str, str] = {}  # component or synthetic key -> Python class name
        self.taken: set = set()
        self.in_progress: set = set()
        self.uses: set = set()  # runtime helpers the models need

    # ---- names -------------------------------------------------------------------------------------------------

    def class_name(self, key: str) -> str:
        if key in self.class_names:
            return self.class_names[key]
        base = pascal(key)
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        self.class_names[key] = name
        return name

    # ---- schemas -----------------------------------------------------------------------------------------------

    def ref_target(self, ref: str) -> Tuple[str, Dict[str, Any]]:
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise SystemExit(f"unsupported $ref {ref!r}: only {prefix}… is handled")
        name = ref[len(prefix):]
        if name not in self.schemas:
            raise SystemExit(f"$ref to a missing schema: {ref}")
        return name, self.schemas[name]

    @staticmethod
    def is_null(schema: Any) -> bool:
        if not isinstance(schema, dict):
            return False
        t = schema.get("type")
        return t == "null" or t == ["null"] or (schema.get("enum") == [None])

    def is_object_like(self, schema: Dict[str, Any]) -> bool:
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if "enum" in schema or "const" in schema:
            return False
        if "properties" in schema:
            return True
        if "allOf" in schema and len(schema["allOf"]) > 1:
            return True
        return "object" in types and not isinstance(schema.get("additionalProperties"), dict) and bool(schema.get("required"))

    def resolve(self, schema: Any, hint: str, prop: Optional[str] = None) -> PyType:
        """The Python type of a schema; hint names a class it may need, prop is the member or parameter it types."""
        if schema is True or schema is None or schema == {}:
            return PyType("Any")
        if schema is False:
            return PyType("Any")
        if "$ref" in schema:
            name, target = self.ref_target(schema["$ref"])
            if "enum" in target or "const" in target:
                return self.enum_type(name, target)
            if self.is_object_like(target):
                return self.model_type(name, target)
            return self.resolve(target, name)

        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return self.union(schema, schema[combinator], hint, prop)

        if "allOf" in schema:
            parts = schema["allOf"]
            nullable = self.type_list(schema)[1]
            if len(parts) == 1 and "properties" not in schema:
                inner = self.resolve(parts[0], hint, prop)
                return PyType(inner.ann, inner.conv, inner.nullable or nullable, inner.param_ann)
            t = self.model_type(hint, schema)
            t.nullable = nullable
            return t

        if "enum" in schema or "const" in schema:
            return self.inline_enum_type(hint, schema, prop)

        types, nullable = self.type_list(schema)
        if not types:
            if "properties" in schema:
                types = ["object"]
            elif nullable:
                return PyType("None", None, True)
            else:
                return PyType("Any")
        if len(types) > 1:
            variants = [self.resolve({**schema, "type": t}, hint, prop) for t in types]
            return PyType(f"Union[{', '.join(v.ann for v in variants)}]", None, nullable,
                          f"Union[{', '.join(v.input_ann for v in variants)}]")
        t = types[0]
        fmt = schema.get("format")
        if t == "string":
            if fmt == "date-time":
                self.uses.add("datetime")
                return PyType("datetime", "_datetime", nullable, "Union[datetime, str]")
            if fmt == "date":
                self.uses.add("date")
                return PyType("date", "_date", nullable, "Union[date, str]")
            if fmt == "uuid":
                self.uses.add("uuid")
                return PyType("UUID", "_uuid", nullable, "Union[UUID, str]")
            return PyType("str", None, nullable)
        if t == "integer":
            return PyType("int", None, nullable)
        if t == "number":
            return PyType("float", None, nullable)
        if t == "boolean":
            return PyType("bool", None, nullable)
        if t == "array":
            item = self.resolve(schema.get("items", {}), hint + "Item", prop)
            item_ann = f"Optional[{item.ann}]" if item.nullable and item.ann != "None" else item.ann
            item_in = f"Optional[{item.input_ann}]" if item.nullable and item.ann != "None" else item.input_ann
            conv = None
            if item.conv:
                conv = f"_list_of({self.nullable_conv(item)})"
            return PyType(f"List[{item_ann}]", conv, nullable, f"Sequence[{item_in}]")
        if t == "object":
            if "properties" in schema:
                tt = self.model_type(hint, schema)
                tt.nullable = nullable
                return tt
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.resolve(extra, hint + "Value")
                value_ann = f"Optional[{value.ann}]" if value.nullable else value.ann
                value_in = f"Optional[{value.input_ann}]" if value.nullable else value.input_ann
                conv = f"_dict_of({self.nullable_conv(value)})" if value.conv else None
                return PyType(f"Dict[str, {value_ann}]", conv, nullable, f"Mapping[str, {value_in}]")
            return PyType("Dict[str, Any]", None, nullable, "Mapping[str, Any]")
        if t == "null":
            return PyType("None", None, True)
        raise SystemExit(f"{hint}: unsupported schema type {t!r}")

    @staticmethod
    def type_list(schema: Dict[str, Any]) -> Tuple[List[str], bool]:
        t = schema.get("type")
        if t is None:
            types: List[str] = []
        elif isinstance(t, list):
            types = list(t)
        else:
            types = [t]
        nullable = "null" in types or schema.get("nullable") is True
        return [x for x in types if x != "null"], nullable

    @staticmethod
    def nullable_conv(t: PyType) -> str:
        assert t.conv
        return f"_nullable({t.conv})" if t.nullable else t.conv

    def union(self, schema: Dict[str, Any], variants: List[Any], hint: str, prop: Optional[str]) -> PyType:
        nullable = self.type_list(schema)[1] or any(self.is_null(v) for v in variants)
        rest = [v for v in variants if not self.is_null(v)]
        if not rest:
            return PyType("None", None, True)
        resolved = [self.resolve(v, f"{hint}Option{i + 1}" if len(rest) > 1 else hint, prop) for i, v in enumerate(rest)]
        if len(resolved) == 1:
            only = resolved[0]
            return PyType(only.ann, only.conv, only.nullable or nullable, only.param_ann)
        ann = f"Union[{', '.join(r.ann for r in resolved)}]"
        param_ann = f"Union[{', '.join(r.input_ann for r in resolved)}]"
        discriminator = schema.get("discriminator")
        if discriminator and all("$ref" in v for v in rest):
            prop = discriminator["propertyName"]
            mapping = dict(discriminator.get("mapping", {}))
            if not mapping:
                for v in rest:
                    mapping[self.ref_target(v["$ref"])[0]] = v["$ref"]
            by_ref = {v["$ref"]: r for v, r in zip(rest, resolved)}
            cases = ", ".join(f"{json.dumps(key)}: {by_ref[ref].conv or '_identity'}"
                              for key, ref in sorted(mapping.items()) if ref in by_ref)
            return PyType(ann, f"_discriminated({json.dumps(prop)}, {{{cases}}})", nullable, param_ann)
        convs = literal_tuple([r.conv or self.type_check(r) for r in resolved])
        return PyType(ann, f"_first_fit({convs})", nullable, param_ann)

    @staticmethod
    def type_check(t: PyType) -> str:
        """For a variant read as it is: a converter that refuses JSON of another type, so _first_fit moves on."""
        for prefix, check in (("int", "int"), ("str", "str"), ("float", "number"), ("bool", "bool"),
                              ("List[", "list"), ("Dict[", "dict")):
            if t.ann == prefix or (prefix.endswith("[") and t.ann.startswith(prefix)):
                return f'_expect("{check}")'
        return "_identity"

    def inline_enum_type(self, hint: str, schema: Dict[str, Any], prop: Optional[str]) -> PyType:
        """An enum written out where it is used: every place with the same values shares one class."""
        values = tuple(str(v) for v in schema.get("enum", [schema.get("const")] if "const" in schema else []) if v is not None)
        self.enum_occurrences.setdefault(values, []).append((hint, prop))
        name = self.enum_names.get(values, hint)
        return self.enum_type("enum:" + json.dumps(values), schema, name)

    def enum_type(self, key: str, schema: Dict[str, Any], name_hint: Optional[str] = None) -> PyType:
        values = list(schema.get("enum", [schema.get("const")] if "const" in schema else []))
        nullable = None in values or self.type_list(schema)[1]
        values = [v for v in values if v is not None]
        if key not in self.class_names and name_hint is not None:
            self.class_names[key] = self.class_name(name_hint)
        name = self.class_name(key)
        if key not in self.enums:
            self.enums[key] = EnumDef(name, schema.get("description", ""), values)
        return PyType(f"Union[{name}, str]", f"{name}.parse", nullable)

    def model_type(self, key: str, schema: Dict[str, Any]) -> PyType:
        name = self.class_name(key)
        if key not in self.models and key not in self.in_progress:
            self.in_progress.add(key)
            model = Model(name, schema.get("description", ""))
            properties, required = self.collect_properties(schema, key)
            used = set()
            for json_name, prop in properties.items():
                py_name = snake(json_name)
                if py_name in ("from_dict", "to_dict", "parse"):
                    py_name += "_"
                while py_name in used:
                    py_name += "_"
                used.add(py_name)
                t = self.resolve(prop, key + pascal(json_name), json_name)
                model.members.append(Member(
                    json_name, py_name, t, json_name in required, (prop or {}).get("description", "") if isinstance(prop, dict) else "",
                    json_name in SECRET_MEMBERS))
            self.models[key] = model
            self.in_progress.discard(key)
        return PyType(name, f"{name}.from_dict", False, f"Union[{name}, Mapping[str, Any]]")

    def collect_properties(self, schema: Dict[str, Any], key: str) -> Tuple[Dict[str, Any], set]:
        properties: Dict[str, Any] = {}
        required: set = set()
        for part in schema.get("allOf", []):
            if "$ref" in part:
                _, part = self.ref_target(part["$ref"])
            p, r = self.collect_properties(part, key)
            properties.update(p)
            required |= r
        properties.update(schema.get("properties", {}))
        required |= set(schema.get("required", []))
        return properties, required

    # ---- models.py ---------------------------------------------------------------------------------------------

    def render_models(self) -> str:
        for name in sorted(self.schemas):
            schema = self.schemas[name]
            if "enum" in schema or "const" in schema:
                self.enum_type(name, schema)
            elif self.is_object_like(schema):
                self.model_type(name, schema)
        body: List[str] = []
        for key in sorted(self.enums, key=lambda k: self.enums[k].name):
            body += self.render_enum(self.enums[key])
        for key in sorted(self.models, key=lambda k: self.models[k].name):
            body += self.render_model(self.models[key])
        names = sorted([e.name for e in self.enums.values()] + [m.name for m in self.models.values()])
        text = "\n".join(body)
        head = [
            self.banner("Typed models of the component schemas."),
            "from __future__ import annotations",
            "",
            *imports(text, [
                ("import enum", ["enum"]),
                ("from dataclasses import {}", ["dataclass", "field"]),
                ("from datetime import {}", ["date", "datetime"]),
                ("from typing import {}", ["Any", "Dict", "List", "Mapping", "Optional", "Sequence", "Union"]),
                ("from uuid import {}", ["UUID"]),
                ("", []),
                ("from .._serde import {}", SERDE),
            ]),
            "__all__ = [",
            *[f"    {json.dumps(n)}," for n in names],
            "]",
        ]
        return "\n".join(head + body) + "\n"

    def render_enum(self, e: EnumDef) -> List[str]:
        lines = ["", "", f"class {e.name}(str, enum.Enum):"]
        lines += docstring(e.description or f"The values of {e.name}. A value this SDK does not know stays a plain str.", "    ")
        lines.append("")
        used = set()
        for v in e.values:
            member = enum_member(v)
            while member in used:
                member += "_"
            used.add(member)
            lines.append(f"    {member} = {json.dumps(str(v))}")
        lines += [
            "",
            "    def __str__(self) -> str:",
            "        return str(self.value)",
            "",
            "    @classmethod",
            f"    def parse(cls, value: Any) -> Union[{e.name}, str]:",
            '        """The member for a JSON value, or the value itself when a newer API sends one this SDK does not know."""',
            "        return parse_enum(cls, value)",
        ]
        return lines

    def render_model(self, m: Model) -> List[str]:
        lines = ["", "", "@dataclass", f"class {m.name}:"]
        lines += docstring(m.description or f"The {m.name} schema.", "    ")
        ordered = [x for x in m.members if x.required] + [x for x in m.members if not x.required]
        if ordered:
            lines.append("")
        for x in ordered:
            if x.description:
                lines += comment(x.description, "    ")
            ann = x.type.ann
            if (x.type.nullable or not x.required) and ann not in ("Any", "None"):
                ann = f"Optional[{ann}]"
            default = ""
            if not x.required:
                default = " = field(default=None, repr=False)" if x.secret else " = None"
            elif x.secret:
                default = " = field(repr=False)"
            lines.append(f"    {x.py_name}: {ann}{default}")
        lines += [
            "",
            "    @classmethod",
            f"    def from_dict(cls, data: Mapping[str, Any]) -> {m.name}:",
            '        """Reads the JSON object; members this SDK does not know are ignored."""',
        ]
        if not ordered:
            lines.append("        return cls()")
        else:
            # Absent and null mean the same for a nullable member, so only a non-nullable one is insisted on: its
            # KeyError becomes a ValueError that names it (nested models convert their own first).
            insisted = [x for x in ordered if x.required and not x.type.nullable and x.type.ann not in ("Any", "None")]
            indent = "            " if insisted else "        "
            if insisted:
                lines.append("        try:")
            lines.append(f"{indent}return cls(")
            for x in ordered:
                value = f"data[{json.dumps(x.json_name)}]" if x in insisted else f"data.get({json.dumps(x.json_name)})"
                conv = x.type.conv
                if conv and (x.type.nullable or not x.required):
                    expr = f"_nullable({conv})({value})"
                elif conv:
                    expr = f"{conv}({value})"
                else:
                    expr = value
                lines.append(f"{indent}    {x.py_name}={expr},")
            lines.append(f"{indent})")
            if insisted:
                lines += ["        except KeyError as missing:",
                          f"            raise _missing({json.dumps(m.name)}, missing) from None"]
        lines += [
            "",
            "    def to_dict(self) -> Dict[str, Any]:",
            '        """The JSON object; optional members that are None are left out."""',
            "        out: Dict[str, Any] = {}",
        ]
        for x in ordered:
            if x.required:
                lines.append(f"        out[{json.dumps(x.json_name)}] = _dump(self.{x.py_name})")
            else:
                lines.append(f"        if self.{x.py_name} is not None:")
                lines.append(f"            out[{json.dumps(x.json_name)}] = _dump(self.{x.py_name})")
        lines.append("        return out")
        return lines

    # ---- operations.py -----------------------------------------------------------------------------------------

    def operations(self) -> List[Dict[str, Any]]:
        ops = []
        ids = set()
        for path, item in self.doc.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                op = item[method]
                op_id = op.get("operationId") or pascal(f"{method} {path}")
                if op_id in ids:
                    raise SystemExit(f"operation id {op_id} appears twice")
                ids.add(op_id)
                ops.append(self.operation(op_id, method, path, op, shared))
        names = [o["method_name"] for o in ops]
        clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & RESERVED_METHODS))
        if clashes:
            raise SystemExit(f"operation ids map to clashing Python names: {', '.join(clashes)}")
        return ops

    def operation(self, op_id: str, method: str, path: str, op: Dict[str, Any], shared: List[Any]) -> Dict[str, Any]:
        hint = pascal(op_id)
        params: List[Param] = []
        seen = set()
        merged = {(p.get("in"), p.get("name")): p for p in [self.deref_param(x) for x in shared]}
        for p in op.get("parameters", []):
            p = self.deref_param(p)
            merged[(p.get("in"), p.get("name"))] = p
        path_order = re.findall(r"{([^}]+)}", path)
        ordered = sorted(merged.values(), key=lambda p: (
            {"path": 0, "query": 1, "header": 2, "cookie": 3}.get(p.get("in"), 4),
            path_order.index(p["name"]) if p.get("in") == "path" and p["name"] in path_order else 0))
        for p in ordered:
            if p.get("in") == "cookie":
                continue
            py = snake(p["name"])
            while py in seen:
                py += "_"
            seen.add(py)
            t = self.resolve(p.get("schema", {}), hint + pascal(p["name"]), p["name"])
            params.append(Param(p["name"], py, p["in"], t, bool(p.get("required")) or p["in"] == "path", p.get("description", "")))

        body_mode = None  # None, "fields", "value"
        body_required_keys: List[str] = []
        body_param_type: Optional[PyType] = None
        body_required = False
        request = self.deref(op["requestBody"]) if "requestBody" in op else None
        if request:
            body_required = bool(request.get("required"))
            content = request.get("content", {})
            json_type = next((ct for ct in content if ct == "application/json" or ct.endswith("+json")), None)
            if json_type is None:
                raise SystemExit(f"{op_id}: only JSON request bodies are handled, not {sorted(content)}")
            schema = content[json_type].get("schema", {})
            target, body_hint = schema, hint + "Body"
            if "$ref" in schema:
                body_hint, target = self.ref_target(schema["$ref"])
            if self.is_object_like(target):
                body_mode = "fields"
                properties, required = self.collect_properties(target, hint)
                for json_name, prop in properties.items():
                    py = snake(json_name)
                    if py in seen:
                        py = "body_" + py
                    while py in seen:
                        py += "_"
                    seen.add(py)
                    t = self.resolve(prop, body_hint + pascal(json_name), json_name)
                    is_required = json_name in required and body_required
                    # A required member that may be null is sent as null when not given; others are left out.
                    if json_name in required:
                        body_required_keys.append(json_name)
                    params.append(Param(json_name, py, "body", t, is_required and not t.nullable,
                                        (prop or {}).get("description", "") if isinstance(prop, dict) else ""))
            else:
                body_mode = "value"
                body_param_type = self.resolve(schema, hint + "Body")
                if "body" in seen:
                    raise SystemExit(f"{op_id}: a parameter is already called body")
                seen.add("body")

        responses = {code: self.deref(answer) for code, answer in op.get("responses", {}).items()}
        success = sorted((code for code in responses if str(code).startswith("2")), key=str)
        result: Optional[PyType] = None
        for code in success:
            content = responses[code].get("content") or {}
            json_type = next((ct for ct in content if "json" in ct), None)
            if json_type is not None:
                result = self.resolve(content[json_type].get("schema", {}), hint + "Response")
                break
        if result is None:
            no_content = all(not (responses[c].get("content")) for c in success) and success and all(c == "204" for c in success)
            result = PyType("None") if no_content else PyType("Any")
        errors = sorted(code for code in responses if not str(code).startswith("2"))

        headers = {p.name: p for p in params if p.location == "header"}
        idempotency = next((name for name in headers if name.lower() == "idempotency-key"), None)
        query_names = {p.name for p in params if p.location == "query"}
        paginated = {"page", "limit"} <= query_names and self.is_page(responses, success)
        return {
            "id": op_id,
            "method": method.upper(),
            "path": path,
            "method_name": snake(op_id),
            "constant": constant(op_id),
            "summary": op.get("summary", ""),
            "description": op.get("description", ""),
            "params": params,
            "body_mode": body_mode,
            "body_type": body_param_type,
            "body_required": body_required,
            "body_required_keys": body_required_keys,
            "result": result,
            "success": success,
            "errors": errors,
            "idempotency": idempotency,
            "paginated": paginated,
            "deprecated": bool(op.get("deprecated")),
        }

    def deref(self, item: Dict[str, Any]) -> Dict[str, Any]:
        """A parameter, request body or response given by $ref to #/components/<kind>/<name>, followed to the end."""
        seen = set()
        while isinstance(item, dict) and "$ref" in item:
            ref = item["$ref"]
            parts = ref.split("/")
            if len(parts) != 4 or parts[:2] != ["#", "components"] or ref in seen:
                raise SystemExit(f"unsupported $ref {ref!r}")
            seen.add(ref)
            try:
                item = self.doc["components"][parts[2]][parts[3]]
            except KeyError:
                raise SystemExit(f"$ref to a missing component: {ref}") from None
        return item

    def deref_param(self, p: Dict[str, Any]) -> Dict[str, Any]:
        return self.deref(p)

    def is_page(self, responses: Dict[str, Any], success: List[str]) -> bool:
        for code in success:
            for ct, media in (responses[code].get("content") or {}).items():
                schema = media.get("schema", {})
                if "$ref" in schema:
                    schema = self.ref_target(schema["$ref"])[1]
                props, _ = self.collect_properties(schema, "")
                if "data" in props and "pagination" in props:
                    return True
        return False

    def render_operations(self) -> str:
        ops = self.operations()
        # Resolving operations may have created inline models; models.py is rendered after this.
        body: List[str] = []
        out = body
        for o in ops:
            out += self.render_spec(o)
        out += ["", "OPERATIONS: Dict[str, Operation] = {"]
        out += [f"    {json.dumps(o['id'])}: {o['constant']}," for o in ops]
        out += ["}", ""]
        for is_async in (False, True):
            cls = "AsyncOperations" if is_async else "Operations"
            out += ["", f"class {cls}:"]
            out += docstring(
                ("Every operation of the Azora API as an awaitable method." if is_async else
                 "Every operation of the Azora API as a method.")
                + " Generated; the client supplies _invoke (credentials, refresh, retries, errors).", "    ")
            out += [
                "",
                f"    {'async ' if is_async else ''}def _invoke(",
                "        self,",
                "        operation: Operation,",
                "        *,",
                "        path: Mapping[str, Any],",
                "        query: Mapping[str, Any],",
                "        headers: Mapping[str, Any],",
                "        body: Any,",
                "    ) -> Any:",
                "        raise NotImplementedError",
            ]
            for o in ops:
                out += self.render_method(o, is_async)
        text = "\n".join(out)
        model_names = sorted([e.name for e in self.enums.values()] + [m.name for m in self.models.values()])
        head = [
            self.banner("One method per operation id: the sync mixin Operations and the async AsyncOperations."),
            "from __future__ import annotations",
            "",
            *imports(text, [
                ("from datetime import {}", ["date", "datetime"]),
                ("from typing import {}", ["Any", "Dict", "List", "Mapping", "Optional", "Sequence", "Union"]),
                ("from uuid import {}", ["UUID"]),
                ("", []),
                ("from .._operation import {}", ["Operation"]),
                ("from .._serde import {}", SERDE),
                ("from .models import {}", model_names),
            ]),
            '__all__ = ["OPERATIONS", "Operations", "AsyncOperations"]',
            "",
        ]
        return "\n".join(head + [text]) + "\n"

    def render_spec(self, o: Dict[str, Any]) -> List[str]:
        r: PyType = o["result"]
        parse = "None"
        if r.conv:
            parse = self.nullable_conv(r)
        lines = [
            f"{o['constant']} = Operation(",
            f"    id={json.dumps(o['id'])},",
            f"    method={json.dumps(o['method'])},",
            f"    path={json.dumps(o['path'])},",
            f"    parse={parse},",
            f"    success={literal_tuple([str(int(c)) for c in o['success']])},",
            f"    errors={literal_tuple([str(int(c)) for c in o['errors'] if str(c).isdigit()])},",
        ]
        if o["body_mode"]:
            lines.append(f"    body={json.dumps(o['body_mode'])},")
        if o["body_required_keys"]:
            lines.append(f"    body_required={literal_tuple([json.dumps(k) for k in o['body_required_keys']])},")
        if o["idempotency"]:
            lines.append(f"    idempotency_header={json.dumps(o['idempotency'])},")
        if o["paginated"]:
            lines.append("    paginated=True,")
        lines += [")", ""]
        return lines

    def render_method(self, o: Dict[str, Any], is_async: bool) -> List[str]:
        params: List[Param] = o["params"]
        path_params = [p for p in params if p.location == "path"]
        keyword_params = [p for p in params if p.location != "path"]
        r: PyType = o["result"]
        ret = r.ann
        if r.nullable and ret not in ("Any", "None"):
            ret = f"Optional[{ret}]"
        sig = [f"    {'async ' if is_async else ''}def {o['method_name']}(", "        self,"]
        for p in path_params:
            sig.append(f"        {p.py_name}: {p.type.input_ann},")
        if keyword_params or o["body_mode"] == "value":
            sig.append("        *,")
        if o["body_mode"] == "value":
            bt: PyType = o["body_type"]
            ann = bt.input_ann
            if o["body_required"]:
                sig.append(f"        body: {ann},")
            else:
                sig.append(f"        body: Optional[{ann}] = None,")
        for p in sorted(keyword_params, key=lambda p: not p.required):
            ann = p.type.input_ann
            if p.required:
                sig.append(f"        {p.py_name}: {ann},")
            else:
                if ann not in ("Any", "None"):
                    ann = f"Optional[{ann}]"
                sig.append(f"        {p.py_name}: {ann} = None,")
        sig.append(f"    ) -> {ret}:")
        if len(sig) == 3:  # only self
            sig = [f"    {'async ' if is_async else ''}def {o['method_name']}(self) -> {ret}:"]
        doc = o["summary"] or f"{o['method']} {o['path']}"
        if o["description"]:
            doc += "\n\n" + o["description"]
        described = [p for p in params if p.description]
        if described:
            doc += "\n\n" + "\n\n".join(f"{p.py_name}: {p.description}" for p in described)
        doc += f"\n\n{o['method']} {o['path']} ({o['id']})."
        if o["errors"]:
            doc += " Raises AzoraApiError for " + ", ".join(str(e) for e in o["errors"]) + "."
        if o["idempotency"]:
            doc += (f" Without {o['idempotency'].lower().replace('-', '_')}, a new uuid4 is sent, the same one on the "
                    "client's own retries.")
        lines = [""] + sig + docstring(doc, "        ")

        def mapping(location: str) -> str:
            items = [p for p in params if p.location == location]
            return literal_dict([(json.dumps(p.name), p.py_name) for p in items], "            ")

        if o["body_mode"] == "fields":
            body = mapping("body")
        elif o["body_mode"] == "value":
            body = "body"
        else:
            body = "None"
        call = f"{'await ' if is_async else ''}self._invoke(\n            {o['constant']},\n            path={mapping('path')},\n" \
               f"            query={mapping('query')},\n            headers={mapping('header')},\n            body={body},\n        )"
        if ret == "None":
            lines.append(f"        {call}")
        elif ret == "Any":
            lines.append(f"        return {call}")
        else:
            # Through a typed local: _invoke returns Any, and the annotation is what the parse function made.
            lines += [f"        result: {ret} = {call}", "        return result"]
        return lines

    # ---- files -------------------------------------------------------------------------------------------------

    def banner(self, what: str) -> str:
        info = self.doc.get("info", {})
        return (f'"""{what}\n\nGenerated by sdk/python/scripts/generate.py from openapi/v1.json '
                f'({info.get("title", "")} {info.get("version", "")}, OpenAPI {self.doc.get("openapi", "?")}).\n'
                f'Do not edit: change the API or the generator and run {COMMAND}\n"""')

    def render(self) -> Dict[str, str]:
        operations = self.render_operations()
        models = self.render_models()
        init = "\n".join([
            self.banner("The generated part of the SDK: models and operations."),
            "from .models import *  # noqa: F401,F403",
            "from .models import __all__ as _models",
            "from .operations import OPERATIONS, AsyncOperations, Operations",
            "",
            '__all__ = [*_models, "OPERATIONS", "Operations", "AsyncOperations"]',
            "",
        ])
        return {"__init__.py": init, "models.py": models, "operations.py": operations}


def singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses") or name.endswith("xes"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def enum_naming(first: Generator) -> Dict[Tuple[str, ...], str]:
    """Names for the inline enums a first pass met: the member's name in the singular (roles -> Role) when every
    closed set that would take it agrees and nothing else is called so, else the first place it appears."""
    wanted: Dict[Tuple[str, ...], Optional[str]] = {}
    for values, places in first.enum_occurrences.items():
        votes: Dict[str, int] = {}
        for _, prop in places:
            if prop:
                candidate = pascal(singular(prop))
                votes[candidate] = votes.get(candidate, 0) + 1
        wanted[values] = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if votes else None
    taken = {m.name for m in first.models.values()} | {pascal(n) for n in first.schemas}
    claims: Dict[str, int] = {}
    for name in wanted.values():
        if name:
            claims[name] = claims.get(name, 0) + 1
    names = {}
    for values, places in first.enum_occurrences.items():
        name = wanted[values]
        names[values] = name if name and claims[name] == 1 and name not in taken else sorted(h for h, _ in places)[0]
    return names


def render(document: Dict[str, Any]) -> Dict[str, str]:
    """Two passes over a copy each: the first finds where inline enums repeat, the second names them once."""
    first = Generator(json.loads(json.dumps(document)))
    first.render()
    return Generator(json.loads(json.dumps(document)), enum_naming(first)).render()


def generate(openapi: Path) -> Dict[str, str]:
    with open(openapi, encoding="utf-8") as f:
        document = json.load(f)
    return render(document)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    args = parser.parse_args(argv)
    files = generate(args.openapi)
    if args.check:
        stale = []
        for name, text in files.items():
            target = args.output / name
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        extra = sorted(str(p) for p in args.output.glob("*.py") if p.name not in files) if args.output.is_dir() else []
        if stale or extra:
            print(f"The generated SDK is out of date with {args.openapi}: {', '.join(stale + extra)}.\n"
                  f"Run {COMMAND} and commit the result.", file=sys.stderr)
            return 1
        print(f"{len(files)} generated files match {args.openapi}")
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.output / name).write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(sorted(files))} to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
