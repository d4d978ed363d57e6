from comms_assistant.resources import bundled


def test_bundled_folders_are_real_folders_with_the_shipped_files() -> None:
    assert (bundled("contacts") / "contacts.csv").is_file()
    assert (bundled("templates") / "word" / "Incident report template.docx").is_file()
    assert (bundled("templates") / "mail").is_dir()
