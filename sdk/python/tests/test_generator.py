"""The generator: the checked-in output matches the document, and each OpenAPI shape becomes the Python it should."""
import importlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
SCRIPT = PACKAGE / "scripts" / "generate.py"
CHECKED_IN = PACKAGE / "azora_sdk" / "_generated"

sys.path.insert(0, str(SCRIPT.parent))
import generate  # noqa: E402


def test_the_checked_in_code_matches_openapi_v1_json(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--output", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    fresh = sorted(p.name for p in tmp_path.glob("*.py"))
    assert fresh == sorted(p.name for p in CHECKED_IN.glob("*.py"))
    stale = [name for name in fresh if (tmp_path / name).read_text() != (CHECKED_IN / name).read_text()]
    assert not stale, (f"azora_sdk/_generated/{', '.join(stale)} differ from what openapi/v1.json generates: "
                       f"run {generate.COMMAND} and commit the result.")


def test_check_mode_reports_drift_with_the_command_to_run(tmp_path):
    shutil.copytree(CHECKED_IN, tmp_path / "out", ignore=shutil.ignore_patterns("__pycache__"))
    ok = subprocess.run([sys.executable, str(SCRIPT), "--check", "--output", str(tmp_path / "out")], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    models = tmp_path / "out" / "models.py"
    models.write_text(models.read_text() + "\n# edited by hand\n")
    drift = subprocess.run([sys.executable, str(SCRIPT), "--check", "--output", str(tmp_path / "out")], capture_output=True, text=True)
    assert drift.returncode == 1
    assert "models.py" in drift.stderr and generate.COMMAND in drift.stderr


def test_every_operation_of_the_document_has_a_method_on_both_clients():
    from azora_sdk import AsyncAzoraClient, AzoraClient
    from azora_sdk._generated.operations import OPERATIONS

    document = json.loads((PACKAGE.parents[1] / "openapi" / "v1.json").read_text())
    ids = [op["operationId"] for item in document["paths"].values() for method, op in item.items() if method in generate.HTTP_METHODS]
    assert sorted(ids) == sorted(OPERATIONS)
    for op_id in ids:
        name = generate.snake(op_id)
        assert callable(getattr(AzoraClient, name)) and callable(getattr(AsyncAzoraClient, name)), op_id
        spec = OPERATIONS[op_id]
        assert (spec.method, spec.path) in {(m.upper(), p) for p, item in document["paths"].items() for m in item if
                                           item[m].get("operationId") == op_id}


# ---- each OpenAPI shape, through a document made for it -------------------------------------------------------------

SHAPES = {
    "openapi": "3.1.1",
    "info": {"title": "Shapes", "version": "t"},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "operationId": "GetThing",
                "summary": "One thing.",
                "parameters": [
                    {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                    {"name": "sort", "in": "query", "schema": {"enum": ["newest", "-price"], "type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                              "404": {"description": "Not found"}},
            },
            "put": {
                "operationId": "PutThing",
                "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
                "responses": {"204": {"description": "No Content"}},
            },
        },
        "/things": {
            "get": {
                "operationId": "ListThings",
                "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}},
                               {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}},
            },
            "post": {
                "operationId": "CreateThing",
                "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
                "requestBody": {"$ref": "#/components/requestBodies/ThingWrite"},
                "responses": {"201": {"$ref": "#/components/responses/ThingCreated"}},
            },
        },
    },
    "components": {
        "parameters": {"IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}},
        "requestBodies": {"ThingWrite": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingWrite"}}}}},
        "responses": {"ThingCreated": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
        "schemas": {
            "Colour": {"type": "string", "enum": ["red", "dark-blue", "2nd"], "description": "A colour."},
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
            "Circle": {"type": "object", "required": ["kind", "radius"], "properties": {"kind": {"enum": ["circle"]}, "radius": {"type": "number"}}},
            "Square": {"type": "object", "required": ["kind", "side"], "properties": {"kind": {"enum": ["square"]}, "side": {"type": "integer"}}},
            "Thing": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "required": ["name", "when", "colour", "shape", "count"], "properties": {
                        "name": {"type": "string", "description": "What it is called."},
                        "when": {"type": ["null", "string"], "format": "date-time"},
                        "day": {"type": "string", "format": "date"},
                        "count": {"type": ["integer", "string"], "format": "int64"},
                        "colour": {"$ref": "#/components/schemas/Colour"},
                        "mood": {"type": "string", "enum": ["calm", "busy"]},
                        "shape": {"oneOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Square"}],
                                  "discriminator": {"propertyName": "kind", "mapping": {"circle": "#/components/schemas/Circle",
                                                                                        "square": "#/components/schemas/Square"}}},
                        "either": {"anyOf": [{"type": "integer"}, {"$ref": "#/components/schemas/Circle"}]},
                        "parent": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Base"}]},
                        "tags": {"type": ["null", "array"], "items": {"type": "string"}},
                        "stamps": {"type": "array", "items": {"type": ["null", "string"], "format": "date-time"}},
                        "scores": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string", "format": "uuid"}}},
                        "extra": {},
                        "class": {"type": "boolean"},
                        "secret": {"type": "string"},
                    }},
                ],
            },
            "ThingWrite": {"type": "object", "required": ["name", "note"], "properties": {
                "name": {"type": "string"}, "note": {"type": ["null", "string"]}, "colour": {"$ref": "#/components/schemas/Colour"},
                "moods": {"type": "array", "items": {"type": "string", "enum": ["calm", "busy"]}},
                "when": {"type": "string", "format": "date-time"}}},
            "Page": {"type": "object", "required": ["data", "pagination"], "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}, "pagination": {"type": "object"}}},
        },
    },
}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """The generator's output for SHAPES, importable as a package beside copies of the SDK's runtime."""
    root = tmp_path_factory.mktemp("shapes")
    package = root / "shapes_sdk"
    (package / "_generated").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for runtime in ("_serde.py", "_operation.py"):
        shutil.copy(PACKAGE / "azora_sdk" / runtime, package / runtime)
    for name, text in generate.render(SHAPES).items():
        (package / "_generated" / name).write_text(text)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("shapes_sdk._generated"), (package / "_generated")
    finally:
        sys.path.remove(str(root))


def test_the_output_compiles_and_lints_clean(shapes):
    _, folder = shapes
    for file in folder.glob("*.py"):
        compile(file.read_text(), str(file), "exec")
        for line in file.read_text().splitlines():
            assert len(line) <= 120 or "Generated by" in line or '"' in line, f"{file.name}: {line}"


def test_enums_keep_unknown_values_as_text(shapes):
    module, _ = shapes
    colour = module.models.Colour
    assert [m.name for m in colour] == ["RED", "DARK_BLUE", "V_2ND"]
    assert colour.parse("dark-blue") is colour.DARK_BLUE
    assert colour.parse("ultraviolet") == "ultraviolet"
    assert str(colour.RED) == "red"
    # An inline enum gets a class too, one per set of values, named after its member in the singular when that is
    # unambiguous (moods and mood: Mood), else after where it first appears (kind of Circle, kind of Square).
    m = module.models
    assert m.Mood.parse("calm") is m.Mood.CALM
    assert m.ThingWrite.from_dict({"name": "n", "note": None, "moods": ["busy", "new"]}).moods == [m.Mood.BUSY, "new"]
    assert m.Sort.MINUS_PRICE.value == "-price"
    assert m.CircleKind.CIRCLE.value == "circle" and m.SquareKind.SQUARE.value == "square"
    assert not hasattr(m, "Kind") and not hasattr(m, "ThingMood")


def thing_json():
    return {
        "id": "9b1c0000-0000-0000-0000-000000000001", "name": "Widget", "when": None, "day": "2026-11-30", "count": 9007199254740993,
        "colour": "red", "mood": "serene", "shape": {"kind": "square", "side": 3}, "either": {"kind": "circle", "radius": 1.5},
        "parent": {"id": "9b1c0000-0000-0000-0000-000000000002"}, "tags": None,
        "stamps": [None, "2026-11-30T10:00:00.1234567Z"], "scores": {"a": ["9b1c0000-0000-0000-0000-000000000003"]},
        "extra": {"any": ["thing"]}, "class": True, "secret": "whsec_hidden", "unknownToThisSdk": 1,
    }


def test_all_of_merges_and_every_format_and_combinator_is_read(shapes):
    module, _ = shapes
    m = module.models
    thing = m.Thing.from_dict(thing_json())
    assert thing.id == uuid.UUID("9b1c0000-0000-0000-0000-000000000001")  # from Base, through allOf
    assert thing.when is None and thing.day.isoformat() == "2026-11-30"
    assert thing.count == 9007199254740993  # int64 beyond double precision survives
    assert thing.colour is m.Colour.RED and thing.mood == "serene"
    assert m.Thing.from_dict({**thing_json(), "mood": "calm"}).mood is m.Mood.CALM
    assert isinstance(thing.shape, m.Square) and thing.shape.side == 3  # discriminator
    assert isinstance(thing.either, m.Circle)  # anyOf: first that fits
    assert m.Thing.from_dict({**thing_json(), "either": 4}).either == 4
    assert isinstance(thing.parent, m.Base) and thing.tags is None
    assert thing.stamps[0] is None and thing.stamps[1] == datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=timezone.utc)
    assert thing.scores == {"a": [uuid.UUID("9b1c0000-0000-0000-0000-000000000003")]}
    assert thing.extra == {"any": ["thing"]} and thing.class_ is True
    assert "whsec_hidden" not in repr(thing)
    # Absent optional members are None; an absent required one is an error that names it.
    sparse = {k: v for k, v in thing_json().items() if k in ("id", "name", "when", "colour", "shape", "count")}
    assert m.Thing.from_dict(sparse).tags is None
    with pytest.raises(ValueError, match="'name'"):
        m.Thing.from_dict({k: v for k, v in sparse.items() if k != "name"})
    # A required member that may be null reads as None when absent (the API leaves some out).
    assert m.Thing.from_dict({k: v for k, v in sparse.items() if k != "when"}).when is None


def test_to_dict_round_trips_and_leaves_out_absent_optionals(shapes):
    module, _ = shapes
    m = module.models
    thing = m.Thing.from_dict(thing_json())
    again = m.Thing.from_dict(thing.to_dict())
    assert again == thing
    dumped = m.Thing.from_dict({k: v for k, v in thing_json().items() if k in ("id", "name", "when", "colour", "shape", "count")}).to_dict()
    assert dumped["when"] is None  # required and nullable: present
    assert "tags" not in dumped and "mood" not in dumped  # optional and None: absent


def test_operations_have_typed_parameters_and_flattened_bodies(shapes):
    module, folder = shapes
    ops = module.operations
    text = (folder / "operations.py").read_text()
    assert "def get_thing(\n        self,\n        thing_id: Union[UUID, str],\n        *,\n        x_trace: str," in text
    assert "sort: Optional[Union[Sort, str]] = None" in text
    assert "page: Optional[int] = None" in text
    assert "-> Thing:" in text
    # A JSON object body becomes keyword arguments: required first, required-but-nullable defaulting to None.
    assert "def create_thing(\n        self,\n        *,\n        name: str,\n        idempotency_key: Optional[str] = None,\n        note: Optional[str] = None," in text
    assert "when: Optional[Union[datetime, str]] = None" in text
    # Any other body is one argument; no content is None.
    assert "body: Sequence[str],\n    ) -> None:" in text
    spec = ops.OPERATIONS["CreateThing"]
    # The header parameter, the body and the answer came through $refs to #/components/parameters, requestBodies, responses.
    assert spec.idempotency_header == "Idempotency-Key" and spec.body == "fields" and spec.body_required == ("name", "note")
    assert "    ) -> Thing:\n" in text.split("def create_thing(")[1]
    assert ops.OPERATIONS["GetThing"].paginated is False  # page and limit, but no { data, pagination }
    assert ops.OPERATIONS["ListThings"].paginated is True
    assert ops.OPERATIONS["GetThing"].errors == (404,)
    assert ops.OPERATIONS["PutThing"].body == "value"


def test_the_async_methods_mirror_the_sync_ones(shapes):
    module, _ = shapes
    import inspect
    ops = module.operations
    for name in ("get_thing", "put_thing", "create_thing"):
        sync, awaited = getattr(ops.Operations, name), getattr(ops.AsyncOperations, name)
        assert inspect.iscoroutinefunction(awaited) and not inspect.iscoroutinefunction(sync)
        assert inspect.signature(sync) == inspect.signature(awaited)


def test_a_clash_with_the_hand_written_client_stops_generation():
    document = json.loads(json.dumps(SHAPES))
    document["paths"]["/things"]["post"]["operationId"] = "SignIn"
    with pytest.raises(SystemExit, match="sign_in"):
        generate.Generator(document).render()


def test_an_unresolvable_ref_stops_generation():
    document = json.loads(json.dumps(SHAPES))
    document["components"]["schemas"]["Thing"]["allOf"][0]["$ref"] = "#/components/schemas/Missing"
    with pytest.raises(SystemExit, match="Missing"):
        generate.Generator(document).render()


@pytest.mark.parametrize("name, expected", [
    ("accessToken", "access_token"), ("instructorId", "instructor_id"), ("Idempotency-Key", "idempotency_key"),
    ("ListCourses", "list_courses"), ("GetJsonWebKeySet", "get_json_web_key_set"), ("isFree", "is_free"),
    ("class", "class_"), ("v1", "v1"), ("HTTPStatus", "http_status"), ("2fa", "_2fa"),
])
def test_names_become_python_identifiers(name, expected):
    assert generate.snake(name) == expected
