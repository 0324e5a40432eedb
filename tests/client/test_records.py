"""The records of read-only listings (client/records.py) hold what the models hold.

The property: whatever the platform sends, reading it as a record gives the record of what the
pydantic model reads (or the same InvalidResponse), and when the records' own reader takes it,
it agrees with the model field by field. Hypothesis generates wire objects mixing the canonical
forms with the odd ones a server may send (numbers for strings, "true" for booleans, times without
seconds or as epoch numbers, both _id and id, rights in every form, missing required fields).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from cartes_cli.client._base import read_record
from cartes_cli.client.models import (
    CatalogCommunity,
    Community,
    CommunitySummary,
    Member,
    Request,
    RequestStatus,
    RequestType,
    Right,
    User,
)
from cartes_cli.client.records import (
    CatalogRecord,
    CommunityRecord,
    CommunitySummaryRecord,
    MemberRecord,
    Record,
    RequestRecord,
    Unusual,
    UserRecord,
)
from cartes_cli.errors import InvalidResponse

RESPONSE = httpx.Response(200, request=httpx.Request("GET", "https://data.test/api/records"))

# --- wire values: canonical and odd ------------------------------------------------------------

texts = st.one_of(
    st.none(), st.text(max_size=8), st.integers(-3, 3), st.booleans(), st.floats(allow_nan=False)
)
canonical_texts = st.one_of(st.none(), st.text(max_size=12))
booleans = st.one_of(
    st.none(), st.booleans(), st.sampled_from(["true", "false", "yes", "0", "maybe", 1, 0, 2, 1.0])
)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(None)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000 if d.microsecond % 7 else d.microsecond))
offsets = st.sampled_from(["Z", "+00:00", "+02:00", "-05:30", ""])


@st.composite
def times(draw: st.DrawFn) -> Any:
    moment = draw(instants)
    form = draw(
        st.sampled_from(["rfc3339", "rfc3339", "rfc3339", "no-seconds", "space", "date", "epoch", "junk"])
    )
    if form == "rfc3339":
        text = moment.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "microseconds"])))
        return text + draw(offsets)
    if form == "no-seconds":
        return moment.strftime("%Y-%m-%dT%H:%M") + "Z"
    if form == "space":
        return moment.isoformat(sep=" ") + "Z"
    if form == "date":
        return moment.date().isoformat()
    if form == "epoch":
        return int(moment.replace(tzinfo=UTC).timestamp())
    return draw(st.sampled_from(["2025-02-30T10:00:00Z", "2025-03-01T24:00:00Z", "yesterday", ""]))


rights = st.one_of(
    st.none(),
    st.lists(st.sampled_from([*(r.value for r in Right), "upload", " ANNEX ", "NEW_RIGHT", ""]), max_size=4),
    st.dictionaries(st.sampled_from(["UPLOAD", "COMMUNITY", "new"]), st.sampled_from([True, False, "1", 0])),
    st.sampled_from(["UPLOAD,ANNEX", "community; upload", ""]),
    st.sampled_from([3, [1], [{"name": "UPLOAD"}]]),
)
uuids = st.sampled_from(["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"])


@st.composite
def identified(draw: st.DrawFn, required: bool = True) -> dict[str, Any]:
    """The id as ``_id``, as ``id``, as both, missing, or not a string."""
    form = draw(st.sampled_from(["_id", "_id", "_id", "id", "both", "missing", "number"]))
    value = draw(uuids)
    if form == "_id":
        return {"_id": value}
    if form == "id":
        return {"id": value}
    if form == "both":
        return {"_id": value, "id": draw(uuids)}
    if form == "number":
        return {"_id": 42}
    return {} if required or draw(st.booleans()) else {"_id": None}


@st.composite
def some_fields(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """Each field present or absent, with values from its strategy."""
    out: dict[str, Any] = {}
    for key, strategy in fields.items():
        if draw(st.integers(0, 4)):  # present four times out of five
            out[key] = draw(strategy)
    return out


def user_refs() -> st.SearchStrategy[Any]:
    return st.builds(
        lambda ident, rest: {**ident, **rest},
        identified(),
        some_fields({"email": canonical_texts, "first_name": texts, "last_name": canonical_texts}),
    )


def summaries() -> st.SearchStrategy[Any]:
    return st.builds(
        lambda ident, rest: {**ident, **rest},
        identified(),
        some_fields(
            {
                "name": texts,
                "technical_name": canonical_texts,
                "description": canonical_texts,
                "contact": canonical_texts,
                "public": booleans,
                "datastore": st.one_of(
                    st.none(),
                    uuids,
                    st.builds(lambda i, a: {**i, "active": a}, identified(), booleans),
                    st.just(7),
                ),
                "supervisor": st.one_of(st.none(), uuids, user_refs()),
                "creation": times(),
                "update": times(),
                "extra": st.integers(),
            }
        ),
    )


catalog_items = st.builds(
    lambda ident, rest: {**ident, **rest},
    identified(),
    some_fields(
        {
            "name": texts,
            "technical_name": canonical_texts,
            "description": canonical_texts,
            "contact": texts,
            "public": booleans,
            "organization": st.one_of(
                st.none(),
                st.builds(lambda i, n: {**i, "name": n}, identified(required=False), texts),
                st.just("IGN"),
            ),
            "creation": times(),
            "update": times(),
            "keywords": st.lists(st.text(max_size=3), max_size=2),
        }
    ),
)

members = st.builds(
    lambda user, rest: {**user, **rest},
    st.one_of(st.builds(lambda u: {"user": u}, user_refs()), st.just({}), st.just({"user": "someone"})),
    some_fields({"rights": rights, "creation": times(), "update": times(), "extra": st.integers()}),
)

numbers = st.one_of(
    st.none(), st.integers(-5, 10**9), st.floats(allow_nan=False), st.just("12"), st.booleans()
)
users = st.builds(
    lambda ident, rest: {**ident, **rest},
    identified(),
    some_fields(
        {
            "email": canonical_texts,
            "first_name": texts,
            "last_name": canonical_texts,
            "creation": times(),
            "update": times(),
            "last_login": times(),
            "last_call": times(),
            "administrator": booleans,
            "technical": booleans,
            "documents_quota": numbers,
            "documents_use": numbers,
            "keys_quota": numbers,
            "keys_use": numbers,
            "communities_member": st.one_of(
                st.none(),
                st.lists(
                    st.builds(
                        lambda c, r: {"community": c, "rights": r},
                        st.one_of(summaries(), summaries(), st.just("not-an-object")),
                        rights,
                    ),
                    max_size=3,
                ),
            ),
        }
    ),
)

requests_ = st.builds(
    lambda ident, rest: {**ident, **rest},
    identified(),
    some_fields(
        {
            "type": st.one_of(
                st.sampled_from(["join", "DATASTORE", " join ", "transfer", None]), st.integers(0, 1)
            ),
            "status": st.sampled_from(["pending", "Accepted", "rejected", "cancelled", "archived", None, 3]),
            "requester": st.one_of(st.none(), user_refs(), st.just("someone")),
            "community": st.one_of(st.none(), uuids, summaries()),
            "message": texts,
            "answers": st.one_of(
                st.none(), st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=4), st.integers()))
            ),
            "name": canonical_texts,
            "technical_name": canonical_texts,
            "description": canonical_texts,
            "offer": texts,
            "public": booleans,
            "justification": canonical_texts,
            "rights": rights,
            "reason": canonical_texts,
            "decided_by": st.one_of(st.none(), uuids, user_refs()),
            "creation": times(),
            "update": times(),
            "unchanged": booleans,
        }
    ),
)

# --- the property ----------------------------------------------------------------------------------


def _agree(record_type: type[Record], model_type: type[BaseModel], data: Any) -> None:
    try:
        model = model_type.model_validate(data)
    except ValidationError:
        model = None
    try:
        fast = record_type.from_wire(data)
    except Unusual:
        fast = None
    if model is None:
        assert fast is None, f"the records took what the model refuses: {data!r}"
        with pytest.raises(InvalidResponse, match="not what cartes expects"):
            read_record(record_type, data, RESPONSE)
        return
    expected = record_type.from_model(model)
    _holds_the_models_values(expected, model)
    assert read_record(record_type, data, RESPONSE) == expected
    if fast is not None:
        assert fast == expected, data
        _same_types(fast, expected)


def _holds_the_models_values(record: Record, model: Any) -> None:
    """Each field of the record is the model's attribute of that name (nested records compared
    the same way): from_model reads the model's dump with from_wire, so this is what catches a
    field from_wire leaves out or reads from the wrong key."""
    for name, value in record.fields().items():
        theirs = getattr(model, name)
        if isinstance(value, Record):
            _holds_the_models_values(value, theirs)
        elif isinstance(value, list) and any(isinstance(v, Record) for v in value):
            assert len(value) == len(theirs), name
            for mine, their in zip(value, theirs, strict=True):
                _holds_the_models_values(mine, their)
        else:
            assert value == theirs, name


def _same_types(a: Any, b: Any) -> None:
    """Enum members stay enum members, and times keep their offset."""
    if isinstance(a, Record):
        for (name, x), y in zip(a.fields().items(), b.fields().values(), strict=True):
            assert type(x) is type(y), name
            _same_types(x, y)
    elif isinstance(a, datetime):
        assert a.utcoffset() == b.utcoffset()
    elif isinstance(a, list):
        for x, y in zip(a, b, strict=True):
            assert type(x) is type(y)


def _agree_also_in_canonical_form(
    record_type: type[Record], model_type: type[BaseModel], data: Any, keep: st.DataObject
) -> None:
    """The generated object as is, then in the platform's canonical form (the model's JSON dump,
    some fields left out), which the records' own reader must take."""
    _agree(record_type, model_type, data)
    try:
        model = model_type.model_validate(data)
    except ValidationError:
        return
    dump = model.model_dump(mode="json", by_alias=True)
    for extra in model.model_extra or {}:  # kept as sent: not the canonical form
        if extra != "_id":
            dump.pop(extra, None)
    canonical = _drop_some(dump, keep)
    _agree(record_type, model_type, canonical)
    if model_type.model_validate(canonical) is not None:
        record_type.from_wire(canonical)  # raises Unusual if the fast path did not take it


def _drop_some(value: Any, keep: st.DataObject) -> Any:
    if isinstance(value, dict):
        required = {"_id", "type", "community", "user"}
        return {
            k: _drop_some(v, keep) for k, v in value.items() if k in required or keep.draw(st.integers(0, 3))
        }
    if isinstance(value, list):
        return [_drop_some(v, keep) for v in value]
    return value


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(catalog_items, st.data())
def test_catalog_items_read_as_the_model_reads_them(data: dict[str, Any], keep: st.DataObject) -> None:
    _agree_also_in_canonical_form(CatalogRecord, CatalogCommunity, data, keep)


@FAST
@given(summaries(), st.data())
def test_communities_read_as_the_model_reads_them(data: dict[str, Any], keep: st.DataObject) -> None:
    """``GET /communities/{c}``, which the workspace lookup reads as a record."""
    _agree_also_in_canonical_form(CommunityRecord, Community, data, keep)


@FAST
@given(st.one_of(summaries(), catalog_items))
def test_what_was_known_of_a_community_is_what_the_model_path_keeps(data: dict[str, Any]) -> None:
    """A membership's community or a catalogue item taken as the community (no request): the
    record path keeps what the model path (``Community`` of the item's dump) keeps."""
    summary = "organization" not in data and "keywords" not in data
    record_type: type[CommunitySummaryRecord | CatalogRecord]
    model_type: type[BaseModel]
    record_type, model_type = (
        (CommunitySummaryRecord, CommunitySummary) if summary else (CatalogRecord, CatalogCommunity)
    )
    try:
        item = model_type.model_validate(data)
    except ValidationError:
        return
    as_model = Community.model_validate(item.model_dump(by_alias=True, exclude_none=True))
    as_record = CommunityRecord.known_as(record_type.from_model(item))
    assert type(as_record) is CommunityRecord
    assert as_record == CommunityRecord.from_model(as_model)


@FAST
@given(members, st.data())
def test_members_read_as_the_model_reads_them(data: dict[str, Any], keep: st.DataObject) -> None:
    _agree_also_in_canonical_form(MemberRecord, Member, data, keep)


@FAST
@given(users, st.data())
def test_users_read_as_the_model_reads_them(data: dict[str, Any], keep: st.DataObject) -> None:
    _agree_also_in_canonical_form(UserRecord, User, data, keep)


@FAST
@given(requests_, st.data())
def test_requests_read_as_the_model_reads_them(data: dict[str, Any], keep: st.DataObject) -> None:
    _agree_also_in_canonical_form(RequestRecord, Request, data, keep)


# --- examples ------------------------------------------------------------------------------------------


def test_the_platforms_canonical_form_is_read_without_the_model() -> None:
    data = {
        "_id": "11111111-1111-4111-8111-111111111111",
        "type": "join",
        "status": "pending",
        "requester": {"_id": "22222222-2222-4222-8222-222222222222", "email": "a@b.fr"},
        "community": {"_id": "33333333-3333-4333-8333-333333333333", "technical_name": "tutoriels"},
        "rights": ["UPLOAD"],
        "creation": "2025-03-01T10:00:00Z",
        "update": "2025-03-01T12:00:00.250+02:00",
    }
    record = RequestRecord.from_wire(data)
    assert record.type is RequestType.JOIN
    assert record.status is RequestStatus.PENDING
    assert record.rights == [Right.UPLOAD]
    assert record.creation == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert record.update == datetime(2025, 3, 1, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))
    assert record.community_id == "33333333-3333-4333-8333-333333333333"
    assert record.subject == "tutoriels"
    assert record.requester is not None
    assert record.requester.display_name == "a@b.fr"


def test_odd_forms_go_through_the_model_and_its_coercions() -> None:
    data = {"_id": "c1", "public": "yes", "creation": 1740823200}
    with pytest.raises(Unusual):
        CatalogRecord.from_wire(data)
    record = read_record(CatalogRecord, data, RESPONSE)
    assert record.public is True
    assert record.creation == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_what_the_model_refuses_is_an_invalid_response_naming_the_field() -> None:
    with pytest.raises(InvalidResponse, match=r"GET https://data.test/api/records.*communities_member"):
        read_record(UserRecord, {"_id": "u1", "communities_member": None}, RESPONSE)


def test_records_compare_and_print_by_their_fields() -> None:
    a = CatalogRecord(id="c1", name="A")
    assert a == CatalogRecord(id="c1", name="A")
    assert a != CatalogRecord(id="c1", name="B")
    assert "name='A'" in repr(a)
    with pytest.raises(TypeError):
        hash(a)


@pytest.mark.parametrize(
    "args",
    [["workspace", "list", "--public"], ["workspace", "list"], ["request", "list", "--incoming"]],
)
def test_read_only_listings_import_no_pydantic(args: list[str]) -> None:
    """The modules a listing command loads: the records path leaves pydantic out."""
    code = f"""
import sys
from cartes_cli.cli.app import make_app
import typer
sys.argv = ["cartes", *{args!r}]
make_app({args[0]!r})
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.records import CatalogRecord
from cartes_cli.client.resources.records import RecordsResource
from cartes_cli.cli.workspace import list as workspace_list
from cartes_cli.cli.request import list as request_list
print("pydantic" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
