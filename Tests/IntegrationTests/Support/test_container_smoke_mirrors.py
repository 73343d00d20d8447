"""scripts/container-smoke.sh takes its Debian mirror from the host's apt sources
(`--apt-mirrors DIR`, the function the smoke test itself calls on /etc/apt)."""

import os
import subprocess
import textwrap

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "container-smoke.sh")


def mirrors(apt_dir):
    return subprocess.run(["bash", SCRIPT, "--apt-mirrors", str(apt_dir)], capture_output=True, text=True, timeout=30)


def apt_dir(tmp_path, files):
    (tmp_path / "sources.list.d").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def test_one_line_sources_skip_other_repositories_options_and_deb_src(tmp_path):
    d = apt_dir(tmp_path, {
        "sources.list": """\
            # deb http://old.example/debian bookworm main
            deb-src http://src.example/debian bookworm main
            deb [arch=amd64 signed-by=/usr/share/keyrings/vendor.gpg] https://vendor.example/apt cloud-sdk-bookworm main
            deb [ signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://mirror.example/debian/ bookworm main contrib # the archive
            deb http://mirror.example/debian-security bookworm-security main
            """,
    })
    result = mirrors(d)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "http://mirror.example/debian http://mirror.example/debian-security\n"


def test_deb822_sources_skip_disabled_stanzas_and_other_files(tmp_path):
    d = apt_dir(tmp_path, {
        "sources.list.d/debian.sources": """\
            Types: deb
            URIs: http://disabled.example/debian
            Suites: bookworm
            Components: main
            Enabled: no

            Types: deb-src deb
            # a comment inside a stanza
            uris: https://snapshot.example/archive/debian/20250520T000000Z
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb
            URIs: https://snapshot.example/archive/debian-security/20250520T000000Z
            Suites:
             bookworm-security
            Components: main
            """,
        "sources.list.d/nodesource.sources.disabled": """\
            Types: deb
            URIs: https://off.example/debian
            Suites: bookworm
            Components: main
            """,
    })
    result = mirrors(d)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://snapshot.example/archive/debian/20250520T000000Z",
        "https://snapshot.example/archive/debian-security/20250520T000000Z",
    ]


def test_another_debian_release_serves_and_security_is_derived_when_absent(tmp_path):
    d = apt_dir(tmp_path, {"sources.list.d/trixie.list": "deb http://mirror.example/debian trixie main\n"})
    result = mirrors(d)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "http://mirror.example/debian http://mirror.example/debian-security\n"


def test_no_debian_archive_fails_saying_what_to_set(tmp_path):
    d = apt_dir(tmp_path, {
        "sources.list": "deb http://archive.example/ubuntu jammy main restricted\n",
        "sources.list.d/cdrom.list": "deb cdrom:[Debian 12]/ bookworm main\n",
    })
    result = mirrors(d)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no Debian archive" in result.stderr and "SMOKE_MIRROR" in result.stderr


def test_this_hosts_apt_sources():
    if not os.path.isdir("/etc/apt"):
        pytest.skip("no /etc/apt on this host")
    result = mirrors("/etc/apt")
    if result.returncode == 1 and "no Debian archive" in result.stderr:
        pytest.skip("this host's apt has no Debian archive (the smoke test then needs SMOKE_MIRROR)")
    assert result.returncode == 0, result.stderr
    archive, security = result.stdout.split()
    assert archive.split(":", 1)[0] in ("http", "https", "file") and security.split(":", 1)[0] in ("http", "https", "file")
