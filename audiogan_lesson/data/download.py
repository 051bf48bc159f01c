"""Downloading and unpacking the real datasets safely (notebook ``01_audio_preprocessing``,
full-scale runs).

* :func:`cache_dir`: where datasets live, ``$AUDIOGAN_DATA`` or ``~/.cache/audiogan_lesson``
  (on Colab, point ``AUDIOGAN_DATA`` at a Google Drive folder to keep them between sessions).
* :func:`download`: http(s) or ``file://`` to a local file with a progress bar, resuming a
  partial download with an HTTP ``Range`` request, and verifying the SHA-256 *before* the file
  is put in place: a mismatch raises and leaves nothing at ``dest``.
* :func:`extract_archive`: tar (plain, gz, bz2, xz) and zip, refusing every member that would
  land outside the destination (``..``, absolute paths, links pointing out, devices) before
  anything is written.

Trust policy. A download is only useful if you know it is the file you meant. When no SHA-256
is given, :func:`download` refuses unless the caller passes ``allow_unverified=True``; it then
prints the SHA-256 it measured (so it can be recorded) and writes it next to the file
(``dest + ".sha256"``), and later calls reuse the file only while it still matches.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import stat
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

__all__ = ["cache_dir", "download", "extract_archive", "sha256_file", "UnsafeArchiveError",
           "ChecksumError", "DATA_ENV"]

DATA_ENV = "AUDIOGAN_DATA"
_CHUNK = 1 << 20


class ChecksumError(ValueError):
    """A downloaded file does not have the SHA-256 it should have."""


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the destination folder."""


def cache_dir(create: bool = True) -> Path:
    """The data cache: ``$AUDIOGAN_DATA`` if set, else ``~/.cache/audiogan_lesson``."""
    root = os.environ.get(DATA_ENV, "").strip()
    path = Path(root).expanduser() if root else Path.home() / ".cache" / "audiogan_lesson"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    return _digests(path)[0]


def _digests(path: str | os.PathLike) -> tuple[str, str]:
    """Hex SHA-256 and MD5 of a file, in one pass."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def _sidecar(dest: Path) -> Path:
    return dest.with_name(dest.name + ".sha256")


def _progress(total: int | None, initial: int, name: str, quiet: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="B", unit_scale=True, unit_divisor=1024,
                desc=name, disable=quiet, leave=True)


def _fetch_file_url(path: Path, part: Path, quiet: bool) -> None:
    """Copy a local file to ``part``, continuing after what ``part`` already holds."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (from a file:// url)")
    total = path.stat().st_size
    have = part.stat().st_size if part.exists() else 0
    if have > total:  # not a prefix of this file: start again
        part.unlink()
        have = 0
    with (open(path, "rb") as src, open(part, "ab") as out,
          _progress(total, have, path.name, quiet) as bar):
        src.seek(have)
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            out.write(chunk)
            bar.update(len(chunk))


def _fetch_http(url: str, part: Path, quiet: bool, timeout: float) -> None:
    """Download ``url`` into ``part``, resuming with a Range request when ``part`` exists."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "audiogan-lesson"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # nothing left to fetch: the partial file is complete
            return
        raise
    with response:
        if have and response.status != 206:  # the server ignored the Range: start again
            have = 0
            mode = "wb"
        else:
            mode = "ab" if have else "wb"
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        name = Path(urllib.parse.urlparse(url).path).name or "download"
        with open(part, mode) as out, _progress(total, have, name, quiet) as bar:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                bar.update(len(chunk))
        if total is not None and part.stat().st_size < total:
            raise urllib.error.ContentTooShortError(
                f"{url}: connection closed after {part.stat().st_size} of {total} bytes", None)


def download(url: str, dest: str | os.PathLike, sha256: str | None = None,
             md5: str | None = None, allow_unverified: bool = False, retries: int = 3,
             timeout: float = 60.0, quiet: bool = False) -> Path:
    """Download ``url`` (http, https or file) to the file ``dest`` and return ``dest``.

    * An existing ``dest`` is reused when its SHA-256 matches (``sha256``, or the hash recorded
      when it was downloaded unverified); otherwise it is fetched again.
    * The bytes go to ``dest + ".part"`` first. An interrupted download resumes from there:
      http(s) with a ``Range`` request (starting over if the server ignores it), ``file://`` by
      seeking. Connection errors are retried ``retries`` times, resuming each time.
    * The SHA-256 is checked before the file is moved to ``dest``. On a mismatch the partial
      file is deleted, :class:`ChecksumError` is raised, and nothing is left at ``dest``.
    * ``md5`` is accepted as well, for sources that publish only an MD5 (Zenodo); it guards
      against corruption, not against tampering.
    * Without either checksum the call refuses (``ValueError``) unless ``allow_unverified=True``;
      then the measured SHA-256 is printed and stored in ``dest + ".sha256"``.
    """
    dest = Path(dest)
    expected = sha256.lower().strip() if sha256 else None
    expected_md5 = md5.lower().strip() if md5 else None
    if expected is None and expected_md5 is None and not allow_unverified:
        raise ValueError(
            f"refusing to download {url} without a sha256 to check it against: pass "
            "sha256='<hex digest>' or, if you trust the source, allow_unverified=True (the "
            "measured hash is then printed and recorded next to the file)")
    sidecar = _sidecar(dest)
    if dest.is_file():
        known = expected or (sidecar.read_text().strip() if sidecar.is_file() else None)
        have_sha, have_md5 = _digests(dest)
        if (known or expected_md5) and (not known or have_sha == known) and (
                not expected_md5 or have_md5 == expected_md5):
            return dest
        if not quiet:
            print(f"{dest}: present but {'its checksum differs' if known else 'unverified'}; "
                  "downloading again")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    parsed = urllib.parse.urlparse(url)
    for attempt in range(retries + 1):
        try:
            if parsed.scheme == "file":
                _fetch_file_url(Path(urllib.request.url2pathname(parsed.path)), part, quiet)
            elif parsed.scheme in ("http", "https"):
                _fetch_http(url, part, quiet, timeout)
            else:
                raise ValueError(f"{url}: unsupported url scheme {parsed.scheme!r}; "
                                 "use http, https or file")
            break
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                TimeoutError) as err:
            if isinstance(err, urllib.error.HTTPError) and err.code < 500:
                raise ConnectionError(f"{url}: the server answered {err.code} {err.reason}; the "
                                      "file has moved or the address is wrong") from err
            if attempt == retries:
                raise ConnectionError(f"{url}: download failed after {retries + 1} attempts "
                                      f"({err}); run again to resume from {part}") from err
            time.sleep(min(2.0 ** attempt, 10.0))
    actual, actual_md5 = _digests(part)
    for kind, want, got in (("SHA-256", expected, actual), ("MD5", expected_md5, actual_md5)):
        if want is not None and got != want:
            part.unlink()
            raise ChecksumError(f"{url}: {kind} is {got}, expected {want}; the download is "
                                f"corrupt or the file has changed. Nothing was written to {dest}.")
    os.replace(part, dest)
    if expected is None:
        sidecar.write_text(actual + "\n")
        if not quiet:
            print(f"{dest.name}: sha256 {actual} (unverified; recorded in {sidecar.name})")
    elif sidecar.exists():
        sidecar.unlink()
    return dest


# ----------------------------------------------------------------------------- extraction


def _inside(root: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _check_name(archive: Path, name: str, root: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"{archive}: member {name!r} has an absolute path; refusing to "
                                 "extract anything from this archive")
    if ".." in pure.parts:
        raise UnsafeArchiveError(f"{archive}: member {name!r} climbs out with '..'; refusing to "
                                 "extract anything from this archive")
    target = root / Path(*pure.parts) if pure.parts else root
    if not _inside(root, target):
        raise UnsafeArchiveError(f"{archive}: member {name!r} would land outside {root}")
    return target


def _check_tar(archive: Path, tar: tarfile.TarFile, root: Path) -> None:
    for member in tar.getmembers():
        target = _check_name(archive, member.name, root)
        if member.issym() or member.islnk():
            link = PurePosixPath(member.linkname.replace("\\", "/"))
            if link.is_absolute():
                raise UnsafeArchiveError(f"{archive}: link {member.name!r} points to the absolute "
                                         f"path {member.linkname!r}; refusing")
            base = target.parent if member.issym() else root
            if not _inside(root, base / Path(*link.parts)):
                raise UnsafeArchiveError(f"{archive}: link {member.name!r} -> {member.linkname!r} "
                                         f"points outside {root}; refusing")
        elif not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"{archive}: member {member.name!r} is a device or fifo; "
                                     "refusing")


def _check_zip(archive: Path, zf: zipfile.ZipFile, root: Path) -> None:
    for info in zf.infolist():
        target = _check_name(archive, info.filename, root)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            link = zf.read(info).decode("utf-8", "replace")
            if PurePosixPath(link).is_absolute() or not _inside(root, target.parent / link):
                raise UnsafeArchiveError(f"{archive}: link {info.filename!r} -> {link!r} points "
                                         f"outside {root}; refusing")


def extract_archive(archive: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Unpack a tar (plain, .gz, .bz2, .xz) or zip ``archive`` into the folder ``dest``.

    Every member is checked before anything is written: absolute paths, ``..`` components,
    symbolic or hard links that resolve outside ``dest``, and device files make the whole call
    raise :class:`UnsafeArchiveError`. Returns ``dest``.
    """
    archive, root = Path(archive), Path(dest)
    if not archive.is_file():
        raise FileNotFoundError(f"{archive}: no such archive")
    root.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            _check_zip(archive, zf, root)
            for info in zf.infolist():
                zf.extract(info, root)
        return root
    try:
        tar = tarfile.open(archive, "r:*")
    except tarfile.TarError as err:
        raise ValueError(f"{archive}: not a tar or zip archive ({err})") from err
    with tar:
        _check_tar(archive, tar, root)
        if hasattr(tarfile, "data_filter"):  # Python >= 3.12 (and patched 3.8+): a second guard
            tar.extractall(root, filter="data")
        else:  # pragma: no cover - old Pythons; every member was checked above
            tar.extractall(root)
    return root
