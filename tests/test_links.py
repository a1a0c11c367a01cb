from rag.retrieval.hops import Titles


def titles(*pages: tuple[str, str]) -> Titles:
    return Titles((source, text, 1, text.splitlines()[0].removeprefix("# ")) for source, text in pages)


def test_a_title_is_found_where_a_text_names_it_whole_and_capitalised_as_the_title():
    pages = titles(("bright.md", "# Bright, North Tarrin\n\nA town."), ("fenn.md", "# J. Fenn\n\nA singer."))
    text = "She was born in Bright, North Tarrin. The bright singer J. Fenn played."
    assert pages.named_in(text) == {"Bright, North Tarrin", "J. Fenn"}
    assert pages.named_in("bright, north tarrin; J. Fennick") == set()


def test_a_title_needs_its_document_to_open_with_a_level_one_heading_and_a_word_that_means_something():
    chunks = [
        ("guide.md", "## Install\n\nRun the installer.", 1, "Install"),
        ("the.md", "# The\n\nAn article.", 1, "The"),
        ("2013.md", "# 2013\n\nA year.", 1, "2013"),
        ("notes.md", "Some text\n# Late heading", 1, "Late heading"),
    ]
    pages = Titles(chunks)
    assert not pages
    assert pages.named_in("Install The Late heading in 2013") == set()


def test_a_document_is_titled_by_its_opening_heading_not_a_later_one():
    pages = Titles([("a.md", "# Second part\n\nMore.", 9, "Second part"), ("a.md", "# Harrow Vale\n\nA town.", 1, "Harrow Vale")])
    assert pages.title_of("a.md") == "Harrow Vale"
    assert pages.sources("Harrow Vale") == ["a.md"]
