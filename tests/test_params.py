import pytest

from etablering.core.errors import ParameterError
from etablering.reports.notebook_params import validate_params


def test_valid_parameters(registry):
    p = validate_params(registry, kommun="0680", year=2018)
    assert p.kommun.code == "0680" and p.year == 2018 and p.peer_kind == "socioekonomi"


def test_every_problem_is_named(registry):
    with pytest.raises(ParameterError) as exc:
        validate_params(registry, kommun=114, year=2018.5, peer_kind="grannar")
    text = str(exc.value)
    assert "parametern kommun" in text and "0114 Upplands Väsby" in text
    assert "parametern year" in text and "2018.5" in text
    assert "parametern peer_kind" in text and "grannar" in text


def test_unknown_parameter_is_rejected(registry):
    with pytest.raises(ParameterError, match="komun"):
        validate_params(registry, kommun="0680", year=2018, komun="0680")


def test_year_as_text_is_accepted(registry):
    assert validate_params(registry, kommun="Luleå", year="2018").year == 2018


def test_02_takes_a_kommun_or_a_lan(registry):
    from etablering.reports.notebook_params import OutcomeParams

    assert validate_params(registry, OutcomeParams, kommun="06").kommun.code == "0006"
    assert validate_params(registry, OutcomeParams, kommun="Jönköpings län").kommun.kind == "lan"
    assert validate_params(registry, OutcomeParams, kommun="0680").kommun.kind == "kommun"
