"""Files saved with their rows go when the block that saved them fails."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dangjian.core.uploads import KINDS, saved_together

PNG = KINDS["png"]


def test_a_failing_block_deletes_every_file_it_saved(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    names: list[str] = []
    with pytest.raises(RuntimeError), saved_together() as save:
        names.append(save("test", PNG, ContentFile(b"one", name="a.png")))
        names.append(save("test", PNG, ContentFile(b"two", name="b.png")))
        assert all(default_storage.exists(n) for n in names)
        raise RuntimeError("the row could not be written")
    assert len(names) == 2 and not any(default_storage.exists(n) for n in names)


def test_a_block_that_succeeds_keeps_its_files(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    with saved_together() as save:
        name = save("test", PNG, ContentFile(b"one", name="a.png"))
    assert default_storage.exists(name) and name.endswith(".png")
