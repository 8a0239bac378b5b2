import pytest

from etablering.core.errors import UnknownAreaError


def test_registry_has_all_kommuner_lan_and_riket(registry):
    assert len(registry.kommuner()) == 290
    assert len(registry.lan()) == 21
    assert registry.riket.name == "Riket"
    assert len(registry.kommuner("12")) == 33  # Skåne


@pytest.mark.parametrize(
    "query", ["0680", "Jönköping", "jonkoping", "JÖNKÖPING", "Jönköpings kommun"]
)
def test_resolve_jonkoping_in_many_spellings(registry, query):
    assert registry.resolve(query).code == "0680"


def test_names_with_and_without_ring_are_different_kommuner(registry):
    assert registry.resolve("Habo").code == "0643"
    assert registry.resolve("Håbo").code == "0305"
    assert registry.resolve("Upplands-Väsby").code == "0114"


def test_resolve_lan_by_code_and_name(registry):
    assert registry.resolve("12", kinds=("lan",)).name == "Skåne län"
    assert registry.resolve("Skåne", kinds=("lan",)).code == "0012"
    assert registry.resolve("Stockholms län", kinds=("lan",)).lan_code == "01"
    with pytest.raises(UnknownAreaError, match="Länskoderna: 01 Stockholms län, 03 Uppsala"):
        registry.resolve("99", kinds=("lan",))


def test_unknown_code_is_an_error_not_a_guess(registry):
    with pytest.raises(UnknownAreaError, match="Ingen kommun har koden 9999"):
        registry.resolve("9999")


def test_misspelled_name_suggests_closest(registry):
    with pytest.raises(UnknownAreaError) as exc:
        registry.resolve("Jönkööping")
    assert exc.value.suggestions[0] == "0680 Jönköping"
    assert "Menade du 0680 Jönköping" in str(exc.value)


def test_lost_leading_zero_in_text_suggests_padded_code(registry):
    with pytest.raises(UnknownAreaError, match="inledande nollan") as exc:
        registry.resolve("114")
    assert exc.value.suggestions == ["0114 Upplands Väsby"]


def test_int_from_papermill_is_never_silently_another_kommun(registry):
    # papermill -p kommun 0114 injects 114; YAML 0162 (octal) also gives 114.
    with pytest.raises(UnknownAreaError) as exc:
        registry.resolve(114)
    text = str(exc.value)
    assert "0114 Upplands Väsby" in text and "0162 Danderyd" in text


def test_yaml_octal_is_explained(registry):
    # YAML 1.1 reads `kommun: 0114` as the octal int 76.
    with pytest.raises(UnknownAreaError, match="oktala talet 76") as exc:
        registry.resolve(76)
    assert "0114 Upplands Väsby" in exc.value.suggestions[0]


def test_four_digit_ints_keep_their_meaning(registry):
    assert registry.resolve(1280).name == "Malmö"
    assert registry.resolve(2580.0).name == "Luleå"


def test_exact_spelling_wins_over_folded_match(registry):
    # 'habo' folds to both Habo and Håbo; the exact spelling decides, never a guess.
    names = [a.name for a in registry.kommuner()]
    assert "Habo" in names and "Håbo" in names
    assert registry.resolve("habo").code == "0643"


def test_lan_code_given_as_kommun_points_to_lan_option(registry):
    with pytest.raises(UnknownAreaError, match="länskoden för Skåne län") as exc:
        registry.resolve("12")
    assert exc.value.suggestions == ["--lan 12"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Jönköping", "0680"),
        ("jonkoping", "0680"),
        ("Jönköpings kommun", "0680"),
        ("Jönköpings län", "0006"),
        ("Skåne", "0012"),
        ("Stockholms stad", "0180"),
        ("Gotland", "0980"),
        ("Gotlands län", "0009"),
    ],
)
def test_kommun_or_lan_by_name_prefers_the_areas_own_name(registry, query, code):
    """Where a report takes a kommun or a län, 'Jönköping' is the kommun, not the län."""
    assert registry.resolve(query, kinds=("kommun", "lan")).code == code


def test_a_one_digit_lan_code_suggests_the_two_digit_lankod(registry):
    with pytest.raises(UnknownAreaError, match="Menade du 06 Jönköpings län") as info:
        registry.resolve("6", kinds=("lan",))
    assert "0006" not in str(info.value) and info.value.suggestions == ["06 Jönköpings län"]
    assert registry.get("0006").display_code == "06" and registry.get("0680").display_code == "0680"
