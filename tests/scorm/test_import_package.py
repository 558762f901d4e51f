"""Safe package reading: hostile archives are refused before anything is written (pure: no app)."""
from __future__ import annotations

import zipfile

import pytest

from lms.scorm.package import (DirSource, Limits, Report, UnsafePackage, ZipSource, open_source,
                               unsafe_reason, validate_package)
from tests.scorm.packages import (bomb_zip, lying_size_zip, many_files_zip, scorm12_package, scorm12_single_files,
                                  scorm2004_files, scorm2004_package, symlink_zip, write_folder, write_zip,
                                  zip_with_raw_names)


def error_codes(report: Report) -> list[str]:
    return [i.code for i in report.errors]


def test_valid_zip_validates_and_extracts(tmp_path):
    path = scorm2004_package(tmp_path)
    manifest, report = validate_package(path)
    assert report.ok and report.issues == []
    assert report.version == "2004-4"
    with ZipSource(path) as source:
        dest = tmp_path / "out"
        written = source.extract_to(dest)
    assert written == sum(len(v.encode() if isinstance(v, str) else v) for v in scorm2004_files().values())
    assert (dest / "content/res/p1/part1.html").read_text().startswith("<!doctype html>")


def test_folder_validates_like_a_zip(tmp_path):
    folder = write_folder(tmp_path / "pkg", scorm12_single_files())
    manifest, report = validate_package(folder)
    assert report.ok and manifest.version == "1.2"


def test_folder_to_zip_is_deterministic(tmp_path):
    folder = write_folder(tmp_path / "pkg", scorm12_single_files())
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    with open(a, "wb") as fa, open(b, "wb") as fb:
        DirSource(folder).to_zip(fa)
        DirSource(folder).to_zip(fb)
    assert a.read_bytes() == b.read_bytes()
    assert validate_package(a)[1].ok


def test_zip64_archives_are_read(tmp_path):
    path = write_zip(tmp_path / "z64.zip", scorm12_single_files(), zip64=True)
    raw = path.read_bytes()  # the local headers really carry ZIP64 extra fields (header id 0x0001)
    assert raw.startswith(b"PK\x03\x04")
    name_len, extra_len = int.from_bytes(raw[26:28], "little"), int.from_bytes(raw[28:30], "little")
    assert extra_len >= 20 and raw[30 + name_len:32 + name_len] == b"\x01\x00"
    manifest, report = validate_package(path)
    assert report.ok and manifest.organization().items[0].launch_path == "index.html"


def test_package_zipped_with_its_folder_is_accepted_with_a_warning(tmp_path):
    files = {f"course/{k}": v for k, v in scorm12_single_files().items()}
    manifest, report = validate_package(write_zip(tmp_path / "nested.zip", files))
    assert report.ok
    assert [i.code for i in report.warnings] == ["manifest_in_subfolder"]
    with ZipSource(tmp_path / "nested.zip") as source:
        source.extract_to(tmp_path / "out")
    assert (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("name,reason", [
    ("../evil.html", "parent directory"),
    ("a/../../evil.html", "parent directory"),
    ("/etc/cron.d/evil", "absolute path"),
    ("C:/Windows/evil.dll", "drive letter"),
    ("c:evil.dll", "drive letter"),
    ("..\\..\\evil.html", "backslash"),
    ("dir\\evil.html", "backslash"),
    ("a\x01b.html", "control character"),
])
def test_unsafe_entry_names_are_refused(tmp_path, name, reason):
    assert unsafe_reason(name) == reason
    path = zip_with_raw_names(tmp_path / "evil.zip", [name])
    manifest, report = validate_package(path)
    assert not report.ok and manifest is None
    [issue] = report.errors
    assert issue.code == "unsafe_path" and issue.params["reason"] == reason
    with pytest.raises(UnsafePackage):
        ZipSource(path)
    assert not (tmp_path.parent / "evil.html").exists()


def test_symlinks_are_refused(tmp_path):
    manifest, report = validate_package(symlink_zip(tmp_path / "link.zip"))
    assert error_codes(report) == ["symlink"]


def test_symlinks_in_a_folder_are_refused(tmp_path):
    folder = write_folder(tmp_path / "pkg", scorm12_single_files())
    (folder / "passwd.html").symlink_to("/etc/passwd")
    manifest, report = validate_package(folder)
    assert error_codes(report) == ["symlink"]


def test_total_size_limit(tmp_path):
    path = scorm12_package(tmp_path)
    manifest, report = validate_package(path, Limits(max_total_bytes=100))
    assert error_codes(report) == ["too_large"]
    assert report.errors[0].params["limit"] == 100


def test_compression_ratio_limit_catches_bombs(tmp_path):
    path = bomb_zip(tmp_path / "bomb.zip")
    manifest, report = validate_package(path, Limits(max_ratio=100))
    assert error_codes(report) == ["ratio_exceeded"]
    assert report.errors[0].params["name"] == "media/zeros.bin"
    # The same archive passes when the operator allows such ratios.
    assert validate_package(path, Limits(max_ratio=100_000))[1].ok


def test_file_count_limit(tmp_path):
    path = many_files_zip(tmp_path / "many.zip", 30)
    assert error_codes(validate_package(path, Limits(max_files=10))[1]) == ["too_many_files"]
    assert validate_package(path, Limits(max_files=100))[1].ok


def test_entry_lying_about_its_size_is_refused_on_extraction(tmp_path):
    path = lying_size_zip(tmp_path / "liar.zip")
    with pytest.raises(UnsafePackage) as excinfo:
        with ZipSource(path) as source:
            source.extract_to(tmp_path / "out")
    assert excinfo.value.issues[0].code in ("size_mismatch", "zip_corrupt")


def test_duplicate_entries_are_refused(tmp_path):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in scorm12_single_files().items():
            zf.writestr(name, content)
        with pytest.warns(UserWarning):
            zf.writestr("index.html", "<p>other</p>")
    assert error_codes(validate_package(path)[1]) == ["duplicate_entry"]


def test_not_a_zip_is_reported(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"this is not a zip")
    manifest, report = validate_package(path)
    assert error_codes(report) == ["not_a_zip"]


def test_missing_path_is_reported(tmp_path):
    assert error_codes(validate_package(tmp_path / "nope.zip")[1]) == ["not_found"]


def test_zip_without_manifest_is_an_error(tmp_path):
    path = write_zip(tmp_path / "empty.zip", {"index.html": "<p>hi</p>"})
    assert error_codes(validate_package(path)[1]) == ["manifest_missing"]


def test_report_lines_and_round_trip(tmp_path):
    files = dict(scorm12_single_files())
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace("</organizations>", "</organisations>")
    manifest, report = validate_package(write_zip(tmp_path / "bad.zip", files))
    assert not report.ok
    [line] = report.lines()
    assert line.startswith("error: imsmanifest.xml:") and "not well-formed" in line
    again = Report.from_dict(report.to_dict())
    assert again.lines() == report.lines()


def test_open_source_reads_files_by_package_path(tmp_path):
    with open_source(scorm2004_package(tmp_path)) as source:
        assert source.exists("content/res/part2.html")
        assert not source.exists("missing.html")
        assert source.read("content/res/shared/api.js") == b"/* shared */"
        assert source.read("missing.html") is None


def test_decomposed_accents_from_macos_archives_match_the_manifest(tmp_path):
    import unicodedata

    files = dict(scorm12_single_files())
    nfc = "leçon-été/index.html"
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace('href="index.html"', f'href="{nfc}"')
    files[unicodedata.normalize("NFD", nfc)] = files.pop("index.html")
    for path in (write_zip(tmp_path / "mac.zip", files), write_folder(tmp_path / "mac", files)):
        manifest, report = validate_package(path)
        assert report.ok, report.lines()
        assert manifest.organization().items[0].launch_path == nfc
    with ZipSource(tmp_path / "mac.zip") as source:
        source.extract_to(tmp_path / "out")
    # Both spellings are served: the manifest's (NFC) and the one the package's own pages may use (NFD).
    assert (tmp_path / "out" / nfc).is_file()
    assert (tmp_path / "out" / unicodedata.normalize("NFD", nfc)).is_file()


def test_macos_resource_forks_are_ignored(tmp_path):
    files = {f"course/{k}": v for k, v in scorm12_single_files().items()}
    files["__MACOSX/course/._index.html"] = b"\x00\x05\x16\x07"
    path = write_zip(tmp_path / "finder.zip", files)
    manifest, report = validate_package(path)
    assert report.ok and [i.code for i in report.warnings] == ["manifest_in_subfolder"]
    with ZipSource(path) as source:
        assert "__MACOSX/course/._index.html" not in source.names()
        source.extract_to(tmp_path / "out")
    assert not (tmp_path / "out" / "__MACOSX").exists()
