import pytest

from workbench.sources.types import parse_type


@pytest.mark.parametrize(
    "text, athena, duckdb_json, duckdb_table",
    [
        ("string", "string", "VARCHAR", "VARCHAR"),
        ("BIGINT", "bigint", "BIGINT", "BIGINT"),
        ("array<string>", "array<string>", "VARCHAR[]", "VARCHAR[]"),
        ("map<string,string>", "map<string,string>", "MAP(VARCHAR, VARCHAR)", "MAP(VARCHAR, VARCHAR)"),
        (
            "struct<userName:string, sessionContext:struct<mfaAuthenticated:string>>",
            "struct<username:string,sessioncontext:struct<mfaauthenticated:string>>",
            'STRUCT("userName" VARCHAR, "sessionContext" STRUCT("mfaAuthenticated" VARCHAR))',
            'STRUCT("username" VARCHAR, "sessioncontext" STRUCT("mfaauthenticated" VARCHAR))',
        ),
        (
            "array<struct<ARN:string,type:string>>",
            "array<struct<arn:string,type:string>>",
            'STRUCT("ARN" VARCHAR, "type" VARCHAR)[]',
            'STRUCT("arn" VARCHAR, "type" VARCHAR)[]',
        ),
    ],
)
def test_renderings(text, athena, duckdb_json, duckdb_table):
    typ = parse_type(text)
    assert typ.athena() == athena
    assert typ.duckdb(json_keys=True) == duckdb_json
    assert typ.duckdb() == duckdb_table


@pytest.mark.parametrize("bad", ["strin", "struct<a:string", "array<>", "map<string>", "struct<a string>", "string>"])
def test_malformed_types_are_refused_with_the_text(bad):
    with pytest.raises(ValueError, match="Athena type"):
        parse_type(bad)
