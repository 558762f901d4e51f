"""Import every manifest of ADL's SCORM 2004 4th Edition LMS test data.

    python bench/scorm_manifests.py ../shared/yardsticks/scorm2004-cts [--no-db] [-v]

The test data ships the manifests without their SCOs (HTML, JavaScript, Java applet), so for each
``CTS_DIR/manifests/<test>.xml`` the script builds a package folder holding the manifest as
``imsmanifest.xml`` and a small placeholder for every file the manifest names, then imports it through
the same code as ``lms content import``: into a throw-away SQLite database and content folder (one course,
one activity per package) when the application is available, or through validation and extraction alone
with ``--no-db``. A package "fails" when its validation report has an error or the import raises.

Prints one line per failure (``-v``: per package) and ``N imported, M failed``; exits 0 only when all
imported.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.scorm.manifest import parse_manifest  # noqa: E402
from lms.scorm.package import DirSource, validate_source  # noqa: E402

PLACEHOLDER = b"<!doctype html><title>placeholder</title>\n"


def build_package(manifest_path: Path, dest: Path) -> Path:
    data = manifest_path.read_bytes()
    dest.mkdir(parents=True)
    (dest / "imsmanifest.xml").write_bytes(data)
    manifest, _ = parse_manifest(data)
    if manifest is not None:
        for path in sorted(manifest.referenced_files()):
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(PLACEHOLDER)
    return dest


def run_without_db(packages: list[tuple[str, Path]], verbose: bool) -> list[tuple[str, str]]:
    failures = []
    with tempfile.TemporaryDirectory() as out:
        for name, folder in packages:
            with DirSource(folder) as source:
                _, report = validate_source(source)
                if report.ok:
                    source_zip = Path(out) / f"{name}.zip"
                    with open(source_zip, "wb") as fh:
                        source.to_zip(fh)
            if not report.ok:
                failures.append((name, "; ".join(report.lines())))
            elif verbose:
                print(f"ok   {name} ({report.version}, {len(report.warnings)} warnings)")
    return failures


def run_with_db(packages: list[tuple[str, Path]], verbose: bool, workdir: Path) -> list[tuple[str, str]]:
    from lms import create_app
    from lms.core.db import db
    from lms.scorm.services import PackageRejected, import_package
    from lms.scorm.models import ScormPackage

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(workdir / "instance"),
                      "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "CONTENT_PACKAGES_DIR": str(workdir / "content_packages")})
    failures = []
    with app.app_context():
        db.create_all()
        from lms.scorm.services import bench_course

        course = bench_course("scorm-cts-bench")
        db.session.commit()
        for name, folder in packages:
            try:
                version = import_package(course, folder, title=name)
                db.session.commit()
            except PackageRejected as exc:
                db.session.rollback()
                failures.append((name, "; ".join(exc.report.lines())))
                continue
            except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
                db.session.rollback()
                failures.append((name, f"{type(exc).__name__}: {exc}"))
                continue
            if verbose:
                print(f"ok   {name} → activity {version.package.activity_id} ({version.scorm_version}, "
                      f"{len(version.items)} items)")
        stored = db.session.query(ScormPackage).count()
        if verbose:
            print(f"{stored} packages stored")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cts_dir", type=Path)
    parser.add_argument("--no-db", action="store_true", help="validate and zip only, no database")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    manifests = sorted((args.cts_dir / "manifests").glob("*.xml"))
    if not manifests:
        print(f"no manifests under {args.cts_dir / 'manifests'}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        packages = [(m.stem, build_package(m, work / "packages" / m.stem)) for m in manifests]
        use_db = not args.no_db
        if use_db:
            try:
                import lms.scorm.services  # noqa: F401
                import lms.courses.models  # noqa: F401
            except ImportError as exc:
                print(f"application not available ({exc}); validating only", file=sys.stderr)
                use_db = False
        if use_db:
            failures = run_with_db(packages, args.verbose, work)
        else:
            failures = run_without_db(packages, args.verbose)
    for name, why in failures:
        print(f"FAIL {name}: {why}")
    elapsed = time.perf_counter() - started
    print(f"{len(manifests) - len(failures)} imported, {len(failures)} failed "
          f"({'database' if use_db else 'validation only'}, {elapsed:.1f} s)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
