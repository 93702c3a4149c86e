"""Discussion fixtures shared by this app's tests and the scope matrix."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.scoping import SYSTEM
from dangjian.discussion import services
from dangjian.discussion.models import Post, Report, Thread
from dangjian.organizations.models import Organization
from dangjian.testing.world import make_member, make_user


def png(size: tuple[int, int] = (40, 30), *, gps: bool = False, name: str = "照片.png") -> SimpleUploadedFile:
    """A small PNG; with `gps`, carrying EXIF with a GPS position (as a phone writes it)."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[0x8825] = {1: "N", 2: (28.0, 12.0, 36.0), 3: "E", 4: (112.0, 58.0, 12.0)}
        image.save(out, "PNG", exif=exif)
    else:
        image.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def discussion_in(org: Organization) -> Thread:
    """A thread with a reply carrying an image and an open report of the reply, by members of
    `org` made for it."""
    tag = org.code
    author = make_user(f"d_author_{tag}", Role.MEMBER, org, member=make_member(org, f"发帖人{tag}"))
    reporter = make_user(f"d_reporter_{tag}", Role.MEMBER, org, member=make_member(org, f"举报人{tag}"))
    thread = services.start_thread(org, f"讨论{tag}", f"讨论内容{tag}", acting_user=author)
    post = services.reply(thread, f"回复{tag}", images=[png()], acting_user=author)
    services.report_post(post, "不妥", acting_user=reporter)
    return thread


def reload(row: Thread | Post | Report) -> Thread | Post | Report:
    return type(row).objects.get(pk=row.pk)


def user(username: str) -> User:
    return User.objects.get(username=username)


__all__ = ["SYSTEM", "discussion_in", "png", "reload", "user"]
